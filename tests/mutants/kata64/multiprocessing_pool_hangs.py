"""Uses multiprocessing.Pool.map, which waits forever for the chunk of a worker that died, not ProcessPoolExecutor.

expect-fail: test_a_dying_worker_fails_fast_with_broken_process_pool
expect-words: did not return, multiprocessing.pool loses, brokenprocesspool
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterable
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
    pool = multiprocessing.Pool(workers)  # MISTAKE: replaces a dead worker, but its chunk is never answered
    try:
        return pool.map(func, work, chunksize=chunksize)
    finally:
        pool.terminate()
        pool.join()
