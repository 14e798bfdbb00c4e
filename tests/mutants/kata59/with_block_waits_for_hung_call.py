"""Crawls inside `with ThreadPoolExecutor(...)`, so leaving the block on TimeoutError waits for the hung call.

expect-fail: test_a_hung_call_does_not_delay_the_timeout_error
expect-words: hung
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    # MUTANT: leaving the block (also by an exception) calls shutdown(wait=True), which joins every call in flight
    with ThreadPoolExecutor(max_workers) as executor:
        seen = {root}
        pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
        while pending:
            done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
            if not done:
                for future in pending:
                    future.cancel()
                raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
            for future in done:
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                for link in future.result():
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    return seen
