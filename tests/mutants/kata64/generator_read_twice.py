"""Counts the items by reading them into a list, then maps the original iterable, so a generator, already exhausted, gives [].

expect-fail: test_results_come_back_in_input_order
expect-words: generator, read only once, lost items
"""
from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _name(func: object) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"cannot send {_name(func)} to a worker process: it cannot be pickled ({exc})") from exc
    count = len(list(items)) if not hasattr(items, "__len__") else len(items)
    if not count:
        return []
    if chunksize is None:
        chunksize = max(1, math.ceil(count / (workers * 4)))
    with ProcessPoolExecutor(workers) as executor:
        return list(executor.map(func, items, chunksize=chunksize))
