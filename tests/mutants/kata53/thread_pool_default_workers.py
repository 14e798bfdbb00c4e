"""Runs the fetches on a ThreadPoolExecutor() of the default size, so with more URLs than workers they are not all in flight at once.

expect-fail: test_every_fetch_is_in_flight_at_the_same_time
expect-words: fewer workers
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


import concurrent.futures


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    if not urls:
        return []
    pool = concurrent.futures.ThreadPoolExecutor()
    futures = [pool.submit(fetch, url) for url in urls]
    pool.shutdown(wait=False)
    done, not_done = concurrent.futures.wait(futures, timeout=timeout)
    if not_done:
        raise TimeoutError("deadline passed")
    for f in futures:
        if f.exception() is not None:
            raise f.exception()
    return [f.result() for f in futures]
