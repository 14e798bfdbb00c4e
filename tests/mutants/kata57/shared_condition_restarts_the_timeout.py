"""result() waits on one Condition shared by all jobs and passes the full timeout to every wait, so each job that
finishes elsewhere starts the timeout over.

expect-fail: test_result_with_timeout_raises_timeout_error
expect-words: started the timeout over
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Job(Generic[R]):
    def __init__(self, pool: WorkerPool, call: Callable[[], R]) -> None:
        self._pool = pool
        self._call = call
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None

    def result(self, timeout: float | None = None) -> R:
        cond = self._pool._cond
        with cond:
            while not self._done:
                if not cond.wait(timeout):  # one shared Condition: notified whenever any job finishes
                    raise TimeoutError("job not finished in time")
        if self._error is not None:
            raise self._error
        return self._value

    def done(self) -> bool:
        with self._pool._cond:
            return self._done


class WorkerPool:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._cond = threading.Condition()
        self._todo: deque[Job] = deque()
        self._closed = False
        self._threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(workers)]
        for t in self._threads:
            t.start()

    def _worker(self) -> None:
        while True:
            with self._cond:
                while not self._todo and not self._closed:
                    self._cond.wait()
                if not self._todo:
                    return
                job = self._todo.popleft()
            value, error = None, None
            try:
                value = job._call()
            except BaseException as exc:  # noqa: BLE001
                error = exc
            with self._cond:
                job._value, job._error, job._done = value, error, True
                self._cond.notify_all()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        with self._cond:
            if self._closed:
                raise RuntimeError("pool shut down")
            job: Job[R] = Job(self, lambda: fn(*args, **kwargs))
            self._todo.append(job)
            self._cond.notify_all()
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if wait:
            for t in self._threads:
                t.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
