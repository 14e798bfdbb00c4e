"""Treats chunksize=None as executor.map's default of 1, so 20,000 tiny items travel one message each.

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
        raise ValueError(f"parallel_map needs at least one worker, got workers={workers}")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"{getattr(func, '__qualname__', repr(func))} cannot be pickled") from exc
    work = list(items)
    if not work:
        return []
    if chunksize is None:
        chunksize = 1  # MISTAKE: executor.map's default, one item per message
    with ProcessPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(func, work, chunksize=chunksize))
