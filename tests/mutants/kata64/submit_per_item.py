"""Submits one future per item and reads them back in order, so every tiny item is its own message.

expect-fail: test_tiny_items_go_in_chunks
expect-words: chunk
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
        raise ValueError(f"workers must be at least 1, not {workers}")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"cannot send {getattr(func, '__qualname__', func)!r} to worker processes") from exc
    work = list(items)
    if not work:
        return []
    executor = ProcessPoolExecutor(workers)
    try:
        futures = [executor.submit(func, item) for item in work]  # MISTAKE: chunksize ignored, one per item
        return [future.result() for future in futures]
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
