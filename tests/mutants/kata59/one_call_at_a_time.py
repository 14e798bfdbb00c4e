"""Submits each page and waits for its result() before submitting the next, so only one call is ever in flight.

expect-fail: test_up_to_max_workers_calls_are_in_flight_at_once
expect-words: at once
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers)

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    seen = {root}
    todo = deque([root])
    try:
        while todo:
            page = todo.popleft()
            future = executor.submit(fetch, page)
            # MUTANT: waits for this one call before submitting the next page
            for link in future.result(timeout=max(0.0, deadline - time.monotonic())):
                if link not in seen:
                    seen.add(link)
                    todo.append(link)
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
    return seen
