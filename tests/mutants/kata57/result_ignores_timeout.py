"""result() waits on the Event without passing the timeout on, so it waits for ever.

expect-fail: test_result_with_timeout_raises_timeout_error
expect-words: timeouterror
"""

from __future__ import annotations

import queue
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
        self._finished.wait()  # MUTANT: timeout never used
        if self._error is not None:
            raise self._error
        return cast("R", self._value)

    def done(self) -> bool:
        return self._finished.is_set()


_STOP = object()  # the sentinel: one per worker, queued after every job


class WorkerPool:
    """`workers` threads, started at once, each looping on queue.get() until it gets the sentinel."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._jobs: queue.Queue[Job[Any] | object] = queue.Queue()
        self._lock = threading.Lock()  # makes "is it shut down?" and "enqueue" one step
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"worker-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            cast("Job[Any]", job).run()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job = Job(fn, args, kwargs)
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            self._jobs.put(job)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._threads:
                    self._jobs.put(_STOP)
        if wait:
            for thread in self._threads:
                thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
