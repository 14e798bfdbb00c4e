"""Holds the seen-set lock for the whole crawl of a page, get_links included, so only one call runs at a time.

expect-fail: test_up_to_workers_calls_are_in_flight_at_once
expect-words: at once
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
    errors: list[Exception] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            page = pages.get()
            if page is None:
                return
            try:
                with lock:  # MUTANT: the lock is held while get_links runs
                    if errors:
                        continue
                    for link in get_links(page):
                        if link not in seen:
                            seen.add(link)
                            pages.put(link)
            except Exception as exc:
                with lock:
                    errors.append(exc)
            finally:
                pages.task_done()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    pages.join()
    for _ in threads:
        pages.put(None)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
