"""Runs the fetches on a ThreadPoolExecutor with one worker per URL, whose worker threads are not daemon threads.

expect-fail: test_a_fetch_still_running_does_not_keep_the_interpreter_alive
expect-words: daemon, threadpoolexecutor cannot
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
    deadline = time.monotonic() + timeout
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(urls))
    try:
        futures = [pool.submit(fetch, url) for url in urls]
        done, not_done = concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if not_done:
        raise TimeoutError(f"{len(not_done)} fetch(es) still running after {timeout} s")
    for f in futures:
        if f.exception() is not None:
            raise f.exception()
    return [f.result() for f in futures]
