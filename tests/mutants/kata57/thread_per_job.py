"""Starts a new thread for every submitted job instead of handing jobs to a fixed set of workers.

expect-fail: test_never_more_threads_than_workers
expect-words: threads
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")


class Job(Generic[R]):
    """One call; a threading.Event is set once its value or exception is stored."""

    def __init__(self, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._finished = threading.Event()
        self._value: R | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        """Called by a worker: run the call and keep its outcome; never raises."""
        try:
            self._value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:
            self._error = exc
        finally:
            self._finished.set()

    def result(self, timeout: float | None = None) -> R:
        if not self._finished.wait(timeout):
            raise TimeoutError(f"the job did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        return cast("R", self._value)

    def done(self) -> bool:
        return self._finished.is_set()


class WorkerPool:
    """Runs every job on a thread of its own."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._lock = threading.Lock()
        self._closed = False
        self._threads: list[threading.Thread] = []

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job = Job(fn, args, kwargs)
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            thread = threading.Thread(target=job.run, daemon=True)  # MUTANT: one new thread per job
            self._threads.append(thread)
            thread.start()
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
