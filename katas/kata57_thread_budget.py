"""Kata 57 · A bounded worker pool (Effective Python, Item 57).

Starting a new ``threading.Thread`` for every piece of work that shows up is easy, but it does not
scale: each thread costs memory and start-up time, a thousand jobs make a thousand threads, and an
exception raised inside one of them never reaches the code that wanted the result.  Instead, start
a fixed number of long-lived worker threads once and hand them jobs through a queue: the number of
threads stays bounded however much work arrives, and each job returns a handle through which its
value (or its exception) comes back to the caller.

Write ``WorkerPool(workers)`` and the ``Job`` handles that ``submit`` returns.  Build it from
``threading`` with ``queue`` or ``collections.deque``; ``concurrent.futures`` is off limits here
(it is kata 59).

Task 1 · A pool of workers: ``WorkerPool(workers)`` runs jobs on at most ``workers`` threads, however
many jobs are submitted (start them all in ``__init__`` or one by one as work arrives, never more);
``workers < 1`` raises ``ValueError``.  ``submit(fn, *args, **kwargs)`` queues the call
``fn(*args, **kwargs)`` and returns a ``Job`` at once.  Up to ``workers`` jobs run at the same time,
and jobs are taken up in the order they were submitted.  ``submit`` is safe to call from many
threads at once: no job is ever lost or run twice.  A worker with nothing to do blocks on the queue
(or a condition) until work arrives; it never wakes up to check in a loop.

Task 2 · Results, errors and timeouts: ``job.result()`` waits for the job and returns ``fn``'s value,
or raises the very exception object ``fn`` raised.  ``job.result(timeout)`` raises the builtin
``TimeoutError`` if the job has not finished within ``timeout`` seconds.  ``result`` blocks on an
``Event`` or ``Condition`` rather than polling a flag.  ``job.done()`` tells whether the job has
finished (returned or raised).  A job that raises does not kill its worker: the worker goes on to
the next job.

Task 3 · Shutdown: ``shutdown(wait=True)`` refuses new jobs (``submit`` raises ``RuntimeError`` from
then on), lets every job already submitted finish, and returns only after every worker thread has
exited, including workers that were idle.  ``shutdown(wait=False)`` refuses new jobs too but returns
at once; the jobs already submitted still finish.  ``with WorkerPool(n) as pool:`` gives the pool,
and leaving the block calls ``shutdown(wait=True)``.

Run ``tox -e kata57`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Job(Generic[R]):
    """The handle of one submitted call: its value or exception arrives here when a worker ran it."""

    def __init__(self) -> None:
        """Made by ``WorkerPool.submit``; give it the parameters your pool needs."""
        # TODO: what the worker hands over (a value or an exception) and something to wait on.
        raise NotImplementedError

    def result(self, timeout: float | None = None) -> R:
        """Wait for the job; its value, or raise its exception.

        Raises:
            TimeoutError: the job did not finish within ``timeout`` seconds (None waits for ever).
        """
        # TODO: block on a threading.Event or Condition with the timeout; no sleep loop.
        raise NotImplementedError

    def done(self) -> bool:
        """Whether the job has finished, by returning or by raising."""
        raise NotImplementedError


class WorkerPool:
    """At most ``workers`` threads that run submitted calls in submission order."""

    def __init__(self, workers: int) -> None:
        """A pool of ``workers`` threads; ``ValueError`` if ``workers < 1``."""
        # TODO: a queue of jobs, the worker threads (or room for them), and a flag for "shut down".
        raise NotImplementedError

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        """Queue ``fn(*args, **kwargs)`` for a worker and return its ``Job`` at once.

        Raises:
            RuntimeError: the pool has been shut down.
        """
        # TODO: check "shut down" and enqueue under the same lock, so no job slips in after shutdown.
        raise NotImplementedError

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new jobs; let the submitted ones finish; with ``wait``, return after every worker exited."""
        # TODO: wake every worker (one stop signal per worker), then join them if ``wait``.
        raise NotImplementedError

    def __enter__(self) -> WorkerPool:
        """The pool itself."""
        raise NotImplementedError

    def __exit__(self, *exc_info: object) -> None:
        """``shutdown(wait=True)``."""
        raise NotImplementedError
