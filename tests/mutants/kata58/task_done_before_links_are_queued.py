"""task_done() is called once get_links returned but before the new links are queued, so join() can return while a worker still has pages to queue.

expect-fail: test_crawl_waits_for_a_busy_worker
expect-words: never called for, queue looked empty, only after its links are queued
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
            if failed.is_set():
                pages.task_done()  # the crawl is over: take no new call
                continue
            try:
                links = list(get_links(page))
            except BaseException as exc:
                with seen_lock:
                    errors.append(exc)
                failed.set()
                pages.task_done()
                continue
            pages.task_done()  # this page is done ... but its new links are not queued yet
            for link in links:
                with seen_lock:
                    if link in seen:
                        continue
                    seen.add(link)
                pages.put(link)

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
        raise errors[0]
    return seen
