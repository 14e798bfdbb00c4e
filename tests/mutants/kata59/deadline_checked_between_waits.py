"""Checks the deadline only between rounds and waits with no timeout, so a hung call holds back the TimeoutError.

expect-fail: test_a_hung_call_does_not_delay_the_timeout_error
expect-words: hung
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
    while pending:
        if time.monotonic() > deadline:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
        done, pending = wait(pending, return_when=FIRST_COMPLETED)  # MUTANT: no timeout on the wait itself
        for future in done:
            error = future.exception()
            if error is not None:
                executor.shutdown(wait=False, cancel_futures=True)
                raise error
            for link in future.result():
                if link not in seen:
                    seen.add(link)
                    pending.add(executor.submit(fetch, link))
    executor.shutdown(wait=True)
    return seen
