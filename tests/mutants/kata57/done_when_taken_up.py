"""done() turns True as soon as a worker takes the job up, while the job still runs.

expect-fail: test_done_tells_whether_the_job_finished
expect-words: not whether a worker has taken it up
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")

_STOP = object()


class Job(Generic[R]):
    def __init__(self, fn: Callable[..., R], args: tuple, kwargs: dict) -> None:
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._finished = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._started = False

    def _run(self) -> None:
        self._started = True
        try:
            self._value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - carried to the caller
            self._error = exc
        finally:
            self._fn = self._args = self._kwargs = None  # type: ignore[assignment]
            self._finished.set()

    def result(self, timeout: float | None = None) -> R:
        if not self._finished.wait(timeout):
            raise TimeoutError(f"job not done within {timeout} s")
        if self._error is not None:
            raise self._error
        return self._value

    def done(self) -> bool:
        return self._started


class WorkerPool:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for t in self._threads:
            t.start()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            job._run()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            job: Job[R] = Job(fn, args, kwargs)
            self._queue.put(job)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._threads:
                    self._queue.put(_STOP)
        if wait:
            for t in self._threads:
                t.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
