"""Calls task_done() only after a page crawled without error, so after an error join() waits forever.

expect-fail: test_an_error_in_get_links_is_reraised
expect-words: did not return
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
            with lock:
                stopping = bool(errors)
            if stopping:
                pages.task_done()
                continue
            try:
                for link in get_links(page):
                    with lock:
                        if link in seen:
                            continue
                        seen.add(link)
                    pages.put(link)
                pages.task_done()
            except Exception as exc:  # MUTANT: no task_done() for the page that failed
                with lock:
                    errors.append(exc)

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
