"""Starts a single worker thread whatever ``workers`` says, so the pages are crawled one at a time.

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
                with lock:
                    stopping = bool(errors)
                if stopping:
                    continue
                for link in get_links(page):
                    with lock:
                        if link in seen:
                            continue
                        seen.add(link)
                    pages.put(link)
            except Exception as exc:
                with lock:
                    errors.append(exc)
            finally:
                pages.task_done()

    worker = threading.Thread(target=work, daemon=True)  # MUTANT: one worker, not `workers` of them
    worker.start()
    pages.put(root)
    pages.join()
    pages.put(None)
    worker.join()
    if errors:
        raise errors[0]
    return seen
