"""Kata 59 reference — style: done-callbacks put each future on a queue.SimpleQueue read by the calling thread."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    finished: queue.SimpleQueue[Future[list[str]]] = queue.SimpleQueue()
    executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="crawl")
    seen: set[str] = set()
    outstanding = 0  # submitted and not yet taken from `finished`; touched by this thread only

    def submit(page: str) -> None:
        nonlocal outstanding
        seen.add(page)
        outstanding += 1
        future = executor.submit(lambda: list(get_links(page)))
        future.add_done_callback(finished.put)  # runs in the worker (or here, if already done)

    try:
        submit(root)
        while outstanding:
            try:
                future = finished.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"crawl of {root!r} not done after {timeout} s") from None
            outstanding -= 1
            for link in future.result():
                if link not in seen:
                    submit(link)
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
    return seen
