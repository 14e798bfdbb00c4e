"""Each call checks and adds to the shared seen set without a lock, so two calls finding one link both submit it.

expect-fail: test_get_links_is_called_once_per_page
expect-words: twice
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers)
    seen = {root}
    lock = threading.Lock()
    finished = threading.Event()
    outstanding = 0
    errors: list[BaseException] = []

    def submit(page: str) -> None:
        nonlocal outstanding
        with lock:
            outstanding += 1
        executor.submit(crawl_page, page)

    def crawl_page(page: str) -> None:
        nonlocal outstanding
        try:
            for link in get_links(page):
                if link not in seen:  # MUTANT: check-then-add in the worker threads, with no lock around it
                    seen.add(link)
                    submit(link)
        except Exception as exc:
            with lock:
                errors.append(exc)
                finished.set()
            return
        with lock:
            outstanding -= 1
            if outstanding == 0:
                finished.set()

    submit(root)
    if not finished.wait(max(0.0, deadline - time.monotonic())) or errors:
        executor.shutdown(wait=False, cancel_futures=True)
        if errors:
            raise errors[0]
        raise TimeoutError(f"the crawl of {root!r} did not finish within {timeout} s")
    executor.shutdown()
    return seen
