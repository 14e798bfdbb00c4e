"""Kata 64 reference — style: slice the items into chunks, submit one future per chunk, join them in input order."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_PER_WORKER = 4


def _apply_chunk(func: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """Runs in a worker process: one message in (the chunk), one message out (its results)."""
    return [func(item) for item in chunk]


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if chunksize is not None and chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, not {chunksize}")
    try:
        pickle.dumps(func)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise TypeError(f"cannot send {getattr(func, '__qualname__', func)!r} to worker processes: {exc}") from exc

    work = list(items)
    if not work:
        return []
    size = chunksize or math.ceil(len(work) / (workers * CHUNKS_PER_WORKER))
    chunks = [work[start : start + size] for start in range(0, len(work), size)]

    executor = ProcessPoolExecutor(workers)
    try:
        futures: list[Future[list[R]]] = [executor.submit(_apply_chunk, func, chunk) for chunk in chunks]
        results: list[R] = []
        for future in futures:  # input order, whatever order they finish in
            results.extend(future.result())
        return results
    finally:
        # Also on an exception or a broken pool: drop the chunks not started, wait for the workers to exit.
        executor.shutdown(wait=True, cancel_futures=True)
