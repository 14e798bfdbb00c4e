"""crawl keeps the first exception but waits on until every pending future is done, without a with block, so a call that never returns keeps it from raising.

expect-fail: test_an_error_is_raised_without_waiting_for_calls_in_flight
expect-words: as soon as a finished future holds an exception, where it waits is below
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers)

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    seen = {root}
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    first_error = None
    try:
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"crawl not finished within {timeout} s")
            done, pending = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            for fut in done:
                if fut.exception() is not None:
                    first_error = first_error or fut.exception()
                    continue
                for link in fut.result():
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    if first_error is not None:
        raise first_error
    return seen
