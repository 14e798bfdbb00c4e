"""Creates ``ProcessPoolExecutor()`` without ``max_workers``, so the pool has ``os.cpu_count()`` workers whatever ``workers`` says.

expect-fail: test_workers_sets_the_number_of_worker_processes
expect-words: workers=1, one worker process
"""

from __future__ import annotations

import math
import pickle
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _check_picklable(func) -> None:
    try:
        pickle.dumps(func)
    except Exception as exc:
        name = getattr(func, "__qualname__", None) or repr(func)
        raise TypeError(f"parallel_map: function {name!r} cannot be pickled, so it cannot be sent to a worker process "
                        f"(define it at module level): {exc}") from exc


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    _check_picklable(func)
    items = list(items)
    if not items:
        return []
    if chunksize is None:
        chunksize = max(1, math.ceil(len(items) / (workers * 4)))
    with ProcessPoolExecutor() as executor:  # MUTANT: os.cpu_count() workers
        return list(executor.map(func, items, chunksize=chunksize))
