"""Runs the items on a ThreadPoolExecutor, as if threads gave parallelism for CPU-bound Python code.

expect-fail: test_two_items_run_at_once_in_two_worker_processes
expect-words: processes, grader's own process
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
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
    with ThreadPoolExecutor(max_workers=workers) as executor:  # MISTAKE: threads share one GIL
        return list(executor.map(func, work, chunksize=chunksize))
