"""Sends func to the pool without checking first that it can be pickled, so a lambda reaches the worker machinery.

expect-fail: test_an_unpicklable_function_is_a_type_error_before_any_worker_starts
expect-words: typeerror
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"parallel_map needs at least one worker, got workers={workers}")
    work = list(items)  # MISTAKE: no pickle.dumps(func) check before the pool starts
    if not work:
        return []
    if chunksize is None:
        chunksize = max(1, len(work) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(func, work, chunksize=chunksize))
