"""submit() checks the closed flag under the lock but puts the job on the queue after releasing it, so a submit racing shutdown lands behind the stop signals and never runs.

expect-fail: test_a_submit_racing_shutdown_is_refused_or_runs
expect-words: never ran, paused at, under the same lock
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")

_STOP = object()


class Job(Generic[R]):
    def __init__(self) -> None:
        self._event = threading.Event()
        self._value: Any = None
        self._exc: BaseException | None = None

    def _finish(self, value: Any = None, exc: BaseException | None = None) -> None:
        self._value = value
        self._exc = exc
        self._event.set()

    def result(self, timeout: float | None = None) -> R:
        if not self._event.wait(timeout):
            raise TimeoutError(f"job not done within {timeout} s")
        if self._exc is not None:
            raise self._exc
        return self._value

    def done(self) -> bool:
        return self._event.is_set()


class WorkerPool:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers!r}")
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"pool-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            job, fn, args, kwargs = item
            try:
                value = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - the job's error goes to its handle
                job._finish(exc=exc)
            else:
                job._finish(value=value)

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job: Job[R] = Job()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that has been shut down")
        self._queue.put((job, fn, args, kwargs))
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._threads:
                    self._queue.put(_STOP)
        if wait:
            me = threading.current_thread()
            for t in self._threads:
                if t is not me:
                    t.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
