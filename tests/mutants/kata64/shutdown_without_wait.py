"""Shuts the pool down with wait=False to return sooner, so the worker processes are still running after the call.

expect-fail: test_no_worker_process_is_left_running
expect-words: still running
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"parallel_map needs at least one worker, got workers={workers}")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"{getattr(func, '__qualname__', repr(func))} cannot be pickled") from exc
    work = list(items)
    if not work:
        return []
    if chunksize is None:
        chunksize = max(1, len(work) // (workers * 4))
    executor = ProcessPoolExecutor(max_workers=workers)
    try:
        return list(executor.map(func, work, chunksize=chunksize))
    finally:
        executor.shutdown(wait=False)  # MISTAKE: returns before the workers have exited
