"""Kata 64 · True parallelism with processes (Effective Python, Item 64).

Threads cannot make CPU-bound Python faster: the GIL lets only one of them run Python bytecode at a
time.  ``concurrent.futures.ProcessPoolExecutor`` gets around it by running the work in separate
worker processes, each with its own interpreter and its own GIL, behind the same executor interface
as a thread pool.  The price is communication: the function, every argument and every result is
pickled and sent between processes, so the function must be importable by name, and the work must
be sent in big enough pieces that it is not drowned in messages.

Write ``parallel_map(func, items, workers=..., chunksize=...)``, the process-pool cousin of
``list(map(func, items))``.

Task 1 · Map over processes, in order: run ``func(item)`` for every item in a
``concurrent.futures.ProcessPoolExecutor`` with ``workers`` worker processes (any start method), so
that two items really run at the same moment in two different processes.  Return the results as a
list in the order of ``items``, not in the order they finished.  ``parallel_map(func, [], ...)`` is
``[]``; ``workers < 1`` raises ``ValueError``.

Task 2 · Chunks for tiny items: sending one item per message costs far more than a tiny ``func``
itself.  With ``chunksize=None``, pick a chunk size from the number of items and workers (a few
chunks per worker), so that 20,000 tiny items travel in a handful of messages; still, two items on
two workers must go to two different workers.  A given ``chunksize`` is used as is.

Task 3 · Errors and clean-up: an exception raised by ``func`` is re-raised with its original type.
Before any worker process starts, check that ``func`` can be pickled (a lambda or a nested function
cannot), and if not raise ``TypeError`` naming the function.  A worker process that dies (say it
calls ``os._exit``) fails promptly with ``concurrent.futures.process.BrokenProcessPool``, never a
hang.  When ``parallel_map`` returns or raises, every worker process it started has exited.

Run ``tox -e kata64`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int | None = None) -> list[R]:
    """``[func(item) for item in items]``, computed in ``workers`` worker processes; results in input order.

    Raises:
        ValueError: ``workers < 1``.
        TypeError: ``func`` cannot be pickled (checked before any worker starts).
        Exception: the exception ``func`` raised, with its original type.
        BrokenProcessPool: a worker process died.
    """
    # TODO: try pickle.dumps(func) first; then `with ProcessPoolExecutor(workers) as executor:`
    # and executor.map(func, items, chunksize=...) with a chunk size computed when it is None.
    raise NotImplementedError
