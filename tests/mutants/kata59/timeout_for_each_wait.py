"""Passes the whole timeout to every wait() of the loop, so each round gets a fresh timeout instead of one deadline.

expect-fail: test_the_timeout_is_one_deadline_for_the_whole_crawl
expect-words: one deadline
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    executor = ThreadPoolExecutor(max_workers)

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    seen = {root}
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    while pending:
        # MUTANT: the full timeout again on every round
        done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
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
