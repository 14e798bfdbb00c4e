"""Kata 59 reference — style: wait(FIRST_COMPLETED) on the pending set, with the time left to one deadline."""

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
        done, pending = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        if not done:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
        for future in done:
            error = future.exception()
            if error is not None:
                for other in pending:
                    other.cancel()
                executor.shutdown(wait=False, cancel_futures=True)
                raise error
            for link in future.result():
                if link not in seen:
                    seen.add(link)
                    pending.add(executor.submit(fetch, link))
    executor.shutdown(wait=True)
    return seen
