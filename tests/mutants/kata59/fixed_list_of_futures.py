"""Submits one fixed list of futures for root's links and never submits the pages found in their results.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: reachable
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers)

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    try:
        seen = {root}
        first = fetch(root)
        seen.update(first)
        # MUTANT: the futures are fixed once; pages found in their results are added but never submitted
        futures = [executor.submit(fetch, page) for page in dict.fromkeys(first) if page != root]
        for future in as_completed(futures, timeout=max(0.0, deadline - time.monotonic())):
            seen.update(future.result())
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
    return seen
