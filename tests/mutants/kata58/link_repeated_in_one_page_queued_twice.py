"""A link listed twice in one get_links result is queued twice: the seen set is checked once per result, not per link.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: fetched twice, lists 'a' twice
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

_SENTINEL = None


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError("workers must be at least 1")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            page = pages.get()
            if page is _SENTINEL:
                pages.task_done()
                return
            try:
                with lock:
                    failed = bool(errors)
                if failed:
                    continue  # the crawl is over: count this page finished without crawling it
                try:
                    links = list(get_links(page))
                except BaseException as exc:
                    with lock:
                        errors.append(exc)
                    continue
                with lock:
                    if errors:
                        continue
                    fresh = [link for link in links if link not in seen]
                    seen.update(fresh)
                for link in fresh:
                    pages.put(link)
            finally:
                pages.task_done()

    threads = [threading.Thread(target=worker, name=f"crawler-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    pages.put(root)
    pages.join()
    for _ in threads:
        pages.put(_SENTINEL)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return seen
