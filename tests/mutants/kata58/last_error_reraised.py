"""crawl re-raises the last exception the workers saw (errors[-1]), not the first.

expect-fail: test_the_first_of_two_errors_is_reraised
expect-words: first exception seen, not the last
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

_STOP = None


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    seen_lock = threading.Lock()
    errors: list[BaseException] = []
    failed = threading.Event()

    def worker() -> None:
        while True:
            page = pages.get()
            if page is _STOP:
                pages.task_done()
                return
            try:
                if failed.is_set():
                    continue  # the crawl is over: take no new call
                try:
                    links = list(get_links(page))
                except BaseException as exc:
                    with seen_lock:
                        errors.append(exc)
                    failed.set()
                    continue
                for link in links:
                    with seen_lock:
                        if link in seen:
                            continue
                        seen.add(link)
                    pages.put(link)
            finally:
                pages.task_done()

    threads = [threading.Thread(target=worker, name=f"crawler-{i}", daemon=True) for i in range(workers)]
    pages.put(root)
    for t in threads:
        t.start()
    pages.join()
    for _ in threads:
        pages.put(_STOP)
    for t in threads:
        t.join()
    if errors:
        raise errors[-1]
    return seen
