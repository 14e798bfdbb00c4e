"""Kata 64 reference — style: a pickle pre-check, then executor.map with a computed chunksize inside a `with` block."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _check_picklable(func: Callable[..., object]) -> None:
    try:
        pickle.dumps(func)
    except Exception as exc:  # PicklingError for a lambda, AttributeError for a nested function
        name = getattr(func, "__qualname__", repr(func))
        raise TypeError(
            f"{name} cannot be pickled, so it cannot be sent to a worker process ({exc}); "
            "define it with `def` at the top level of a module"
        ) from exc


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    if workers < 1:
        raise ValueError(f"parallel_map needs at least one worker, got workers={workers}")
    _check_picklable(func)
    work = list(items)
    if not work:
        return []
    if chunksize is None:
        chunksize = max(1, len(work) // (workers * 4))  # about four chunks per worker
    with ProcessPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(func, work, chunksize=chunksize))
