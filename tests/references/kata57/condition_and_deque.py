"""Kata 57 reference — style: a threading.Condition guards a deque and a closed flag; workers start lazily."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")


class Job(Generic[R]):
    """One call; its own Condition announces the outcome to every waiter."""

    def __init__(self, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._call = (fn, args, kwargs)
        self._changed = threading.Condition()
        self._finished = False
        self._value: R | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        fn, args, kwargs = self._call
        value: R | None = None
        error: BaseException | None = None
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:
            error = exc
        with self._changed:
            self._value, self._error, self._finished = value, error, True
            self._changed.notify_all()

    def result(self, timeout: float | None = None) -> R:
        with self._changed:
            if not self._changed.wait_for(lambda: self._finished, timeout):
                raise TimeoutError(f"the job did not finish within {timeout} s")
            if self._error is not None:
                raise self._error
            return cast("R", self._value)

    def done(self) -> bool:
        with self._changed:
            return self._finished


class WorkerPool:
    """Jobs wait in a deque; a worker is started only when a job finds no idle worker, up to `workers`."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._most = workers
        self._changed = threading.Condition()
        self._pending: deque[Job[Any]] = deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0  # workers waiting in _changed.wait(), not yet handed a job
        self._closed = False

    def _work(self) -> None:
        while True:
            with self._changed:
                self._idle += 1
                while not self._pending and not self._closed:
                    self._changed.wait()
                self._idle -= 1
                if not self._pending:  # closed, and nothing left to run
                    return
                job = self._pending.popleft()
            job.run()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job = Job(fn, args, kwargs)
        with self._changed:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            self._pending.append(job)
            if len(self._pending) > self._idle and len(self._threads) < self._most:
                thread = threading.Thread(target=self._work, name=f"worker-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._changed.notify()
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
