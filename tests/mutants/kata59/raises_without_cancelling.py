"""Raises the error at once but shuts the executor down without cancel_futures, so the queued calls still run.

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
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    try:
        while pending:
            done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
            if not done:
                raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
            for future in done:
                for link in future.result():
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    except BaseException:
        executor.shutdown(wait=False)  # MUTANT: no cancel_futures=True, and the pending futures are not cancelled
        raise
    executor.shutdown()
    return seen
