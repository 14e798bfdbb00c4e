"""Remembers the first exception but keeps crawling every page it finds, and raises it only when the crawl is done.

expect-fail: test_after_an_error_no_new_call_starts
expect-words: after
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
    first_error: BaseException | None = None
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    while pending:
        done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        if not done:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
        for future in done:
            error = future.exception()
            if error is not None:
                # MUTANT: keeps going; the error is raised only after every other page was crawled
                first_error = first_error or error
                continue
            for link in future.result():
                if link not in seen:
                    seen.add(link)
                    pending.add(executor.submit(fetch, link))
    executor.shutdown(wait=True)
    if first_error is not None:
        raise first_error
    return seen
