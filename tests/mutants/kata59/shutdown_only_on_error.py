"""crawl shuts the executor down on an error or the deadline, but not when it returns, so the executor is left running (its idle workers exit only once it is garbage-collected).

expect-fail: test_the_executor_is_shut_down_when_crawl_returns
expect-words: never shut down, every path
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
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"crawl not finished within {timeout} s")
            done, pending = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            for fut in done:
                for link in fut.result():  # re-raises the call's exception
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    return seen
