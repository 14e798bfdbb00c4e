"""Checks the seen set and adds to it without a lock, so two workers that find the same link at once both queue it.

expect-fail: test_get_links_is_called_once_per_page_even_when_workers_race
expect-words: twice
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
                    if link not in seen:  # MUTANT: check-then-add with no lock around it
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
