"""Checks ``workers`` with an assert, which raises AssertionError (or nothing under python -O) instead of ValueError.

expect-fail: test_fewer_than_one_worker_is_a_value_error
expect-words: valueerror
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    assert workers >= 1, "workers must be at least 1"  # MUTANT: not a ValueError
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
