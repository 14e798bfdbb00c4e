"""Picklable work for claims about worker processes (kata 64): module-level, importable in any child.

Each function takes one item, so ``parallel_map(func, items, ...)`` can run it in a worker process.
"""

from __future__ import annotations

import multiprocessing.util
import os
import time
from pathlib import Path

LINGER = 0.5
"""Seconds a worker process that ran :func:`lingering` takes to exit: long enough that a pool which
does not wait for its workers returns while they are visibly alive."""


def square(x: int) -> int:
    return x * x


def plus_one(x: int) -> int:
    return x + 1


def sleep_then_return(item: tuple[int, float]) -> int:
    """Sleep ``item[1]`` seconds, then return ``item[0]`` (earlier items sleep longer)."""
    index, seconds = item
    time.sleep(seconds)
    return index


def meet(item: tuple[str, int, float]) -> tuple[int, bool]:
    """A rendezvous across processes: announce ourselves in a folder, wait until two have; (pid, met)."""
    folder, index, timeout = Path(item[0]), item[1], item[2]
    (folder / f"{index}-{os.getpid()}").touch()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(list(folder.iterdir())) >= 2:
            return os.getpid(), True
        time.sleep(0.005)
    return os.getpid(), False


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("item 3 is bad")
    return x


def die_on_three(x: int) -> int:
    if x == 3:
        os._exit(1)
    return x


_lingers: list[int] = []


def lingering(x: int) -> int:
    """Return ``x``; the worker process that ran it takes LINGER seconds to exit."""
    if multiprocessing.parent_process() is not None and not _lingers:
        _lingers.append(os.getpid())
        multiprocessing.util.Finalize(None, time.sleep, args=(LINGER,), exitpriority=100)
    return x


def burn(n: int) -> int:
    """CPU-bound work: sum of squares below ``n``."""
    return sum(i * i for i in range(n))


def lingering_fail_on_three(x: int) -> int:
    """:func:`lingering`, and item 3 raises ValueError."""
    return fail_on_three(lingering(x))


def pid_of(x: int) -> int:
    """The id of the process that ran this item."""
    return os.getpid()
