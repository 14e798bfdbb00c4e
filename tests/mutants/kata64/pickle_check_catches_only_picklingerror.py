"""Checks pickle.dumps(func) but catches only pickle.PicklingError, so a nested function's AttributeError escapes.

expect-fail: test_an_unpicklable_function_is_a_type_error_before_any_worker_starts
expect-words: typeerror
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
    except pickle.PicklingError as exc:  # MISTAKE: a nested function raises AttributeError, not PicklingError
        raise TypeError(f"{getattr(func, '__qualname__', repr(func))} cannot be pickled") from exc
    work = list(items)
    if not work:
        return []
    if chunksize is None:
        chunksize = max(1, len(work) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(func, work, chunksize=chunksize))
