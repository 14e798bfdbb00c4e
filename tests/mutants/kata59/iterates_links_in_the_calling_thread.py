"""The worker returns get_links' result as it is and the calling thread iterates it, so a result that hangs while
it is read holds crawl past its deadline.

expect-fail: test_a_result_that_hangs_while_iterated_does_not_delay_the_timeout_error
expect-words: reading, part of the call, in the worker
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout

    def fetch(page: str) -> Iterable[str]:
        return get_links(page)

    executor = ThreadPoolExecutor(max_workers)
    seen = {root}
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    try:
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"crawl not finished within {timeout} s")
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                for link in future.result():  # re-raises a get_links error
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return seen
