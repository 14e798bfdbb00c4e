"""Creates ThreadPoolExecutor() with its default number of workers instead of max_workers, so more calls run at once.

expect-fail: test_never_more_than_max_workers_calls_at_once
expect-words: more than
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor()  # MUTANT: min(32, cpu_count + 4) workers, whatever max_workers says

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    seen = {root}
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    while pending:
        done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        if not done:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
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
