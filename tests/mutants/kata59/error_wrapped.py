"""Raises a new RuntimeError from the get_links exception instead of re-raising the original object.

expect-fail: test_an_error_is_raised_without_waiting_for_calls_in_flight
expect-words: re-raise
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
    page_of = {next(iter(pending)): root}
    while pending:
        done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        if not done:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
        for future in done:
            error = future.exception()
            if error is not None:
                executor.shutdown(wait=False, cancel_futures=True)
                raise RuntimeError(f"crawling {page_of[future]!r} failed") from error  # MUTANT: not the original
            for link in future.result():
                if link not in seen:
                    seen.add(link)
                    new = executor.submit(fetch, link)
                    page_of[new] = link
                    pending.add(new)
    executor.shutdown(wait=True)
    return seen
