"""Catches BrokenProcessPool and returns the results gathered before the worker died, as if the rest were optional.

expect-fail: test_a_dying_worker_fails_fast_with_broken_process_pool
expect-words: brokenprocesspool
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    results: list[R] = []
    with ProcessPoolExecutor(max_workers=workers) as executor:
        try:
            for result in executor.map(func, work, chunksize=chunksize):
                results.append(result)
        except BrokenProcessPool:
            pass  # MISTAKE: a crashed worker silently shortens the result list
    return results
