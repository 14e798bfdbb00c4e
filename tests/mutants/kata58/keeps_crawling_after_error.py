"""Records the error but lets the workers crawl every remaining page, raising only once the whole crawl is done.

expect-fail: test_after_an_error_workers_take_no_new_page
expect-words: after
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
                # MUTANT: no check for an earlier error before crawling the next page
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
