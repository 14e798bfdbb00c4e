"""With ``chunksize=None`` it uses ``len(items) // workers + 1``, so two items on two workers go in one chunk to one worker.

expect-fail: test_two_items_run_at_once_in_two_worker_processes
expect-words: one worker process, chunksize=none
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
        chunksize = len(items) // workers + 1  # MUTANT: 2 items, 2 workers: one chunk of 2
    with ProcessPoolExecutor(workers) as executor:
        return list(executor.map(func, items, chunksize=chunksize))
