"""submit() reads the pending list, then stores `[*pending, job]` back with no lock, so concurrent submits lose jobs.

expect-fail: test_no_job_is_lost_when_threads_submit_at_once
expect-words: lost
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
    """Workers wait on a Condition for a list of pending jobs that is replaced, never mutated."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._changed = threading.Condition()
        self._pending: list[Job[Any]] = []
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"worker-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._closed:
                    self._changed.wait()
                if not self._pending:
                    return
                job = self._pending[0]
                self._pending = self._pending[1:]
            job.run()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        pending = self._pending  # MUTANT: read here, written back below, with no lock held in between
        if self._closed:
            raise RuntimeError("cannot submit to a pool that has been shut down")
        job = Job(fn, args, kwargs)
        self._pending = [*pending, job]
        with self._changed:
            self._changed.notify()
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
