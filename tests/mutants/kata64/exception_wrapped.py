"""Wraps any exception from the workers in a RuntimeError saying which chunk failed, so the original type is lost.

expect-fail: test_an_exception_keeps_its_type
expect-words: valueerror
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    if not work:
        return []
    size = chunksize or math.ceil(len(work) / (workers * 4))
    chunks = [work[start : start + size] for start in range(0, len(work), size)]
    executor = ProcessPoolExecutor(workers)
    try:
        futures = [executor.submit(_apply_chunk, func, chunk) for chunk in chunks]
        results: list[R] = []
        for number, future in enumerate(futures):
            try:
                results.extend(future.result())
            except BrokenProcessPool:
                raise
            except Exception as exc:  # MISTAKE: the caller can no longer catch the original type
                raise RuntimeError(f"chunk {number} failed: {exc!r}") from exc
        return results
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
