"""Computes the chunk size as ceil(len / (workers * 4)) with no special case, so no items give a chunk size of 0.

expect-fail: test_no_items_is_an_empty_list
expect-words: empty
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _apply_chunk(func: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [func(item) for item in chunk]


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"cannot send {getattr(func, '__qualname__', func)!r} to worker processes") from exc
    work = list(items)
    size = chunksize or math.ceil(len(work) / (workers * 4))  # MISTAKE: 0 when there are no items
    chunks = [work[start : start + size] for start in range(0, len(work), size)]
    executor = ProcessPoolExecutor(workers)
    try:
        futures = [executor.submit(_apply_chunk, func, chunk) for chunk in chunks]
        results: list[R] = []
        for future in futures:
            results.extend(future.result())
        return results
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
