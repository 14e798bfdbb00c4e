"""A worker that finds the queue empty after a page ends the crawl, though another worker is busy and may find more.

expect-fail: test_crawl_waits_for_a_busy_worker
expect-words: never called for, queue looked empty
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    crawled: set[str] = set()
    errors: list[Exception] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            page = pages.get()
            if page is None:
                return
            with lock:
                stopping = bool(errors)
            if not stopping:
                try:
                    for link in get_links(page):
                        with lock:
                            if link in seen:
                                continue
                            seen.add(link)
                        pages.put(link)
                    with lock:
                        crawled.add(page)
                except Exception as exc:
                    with lock:
                        errors.append(exc)
            if pages.empty():  # MUTANT: an empty queue is taken to mean the crawl is over
                for _ in range(workers):
                    pages.put(None)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return crawled
