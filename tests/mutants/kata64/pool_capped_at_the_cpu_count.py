"""Caps the pool at os.cpu_count() workers ("more processes than CPUs cannot help"), so workers=3 on a 2-CPU machine gets a pool of 2.

expect-fail: test_workers_sets_the_number_of_worker_processes
expect-words: pool of 2, workers=3, fewer cpus
"""
from __future__ import annotations

import math
import os
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
    items = list(items)
    if not items:
        return []
    if chunksize is None:
        chunksize = max(1, math.ceil(len(items) / (workers * 4)))
    with ProcessPoolExecutor(min(workers, os.cpu_count() or 1)) as executor:  # more processes than CPUs cannot help
        return list(executor.map(func, items, chunksize=chunksize))
