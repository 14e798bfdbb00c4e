"""Retries the chunks on a fresh pool after BrokenProcessPool, forever when an item kills every worker it runs on.

expect-fail: test_a_dying_worker_fails_fast_with_broken_process_pool
expect-words: did not return, process pools one after another
"""

from __future__ import annotations

import math
import pickle
import time
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
    done: dict[int, list[R]] = {}
    while len(done) < len(chunks):
        try:
            with ProcessPoolExecutor(workers) as executor:
                futures = {i: executor.submit(_apply_chunk, func, c) for i, c in enumerate(chunks) if i not in done}
                for i, future in futures.items():
                    done[i] = future.result()
        except BrokenProcessPool:  # MISTAKE: retried without limit; the same chunk kills every fresh pool
            time.sleep(0.5)
    return [result for i in range(len(chunks)) for result in done[i]]
