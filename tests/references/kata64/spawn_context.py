"""Kata 64 reference — style: a "spawn" multiprocessing context passed as mp_context, workers as fresh interpreters."""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"workers={workers}: a pool needs at least one worker process")
    try:
        pickle.dumps(func)
    except Exception as exc:
        name = getattr(func, "__qualname__", None) or repr(func)
        raise TypeError(f"the function {name} is not picklable, so a spawned worker could not import it") from exc

    work = list(items)
    if not work:
        return []
    if chunksize is None:
        chunksize = -(-len(work) // (workers * 4))  # ceil: at most four chunks per worker

    context = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited threads or locks
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    with executor:
        results = executor.map(func, work, chunksize=chunksize)
        return list(results)
