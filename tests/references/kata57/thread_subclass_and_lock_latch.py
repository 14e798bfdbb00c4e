"""Kata 57 reference — style: Thread-subclass workers on a queue.SimpleQueue; each job is a Lock released when done."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")


class Job(Generic[R]):
    """One call; `_latch` is held from creation until the outcome is stored, so waiting is acquiring it."""

    def __init__(self, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._call = (fn, args, kwargs)
        self._latch = threading.Lock()
        self._latch.acquire()
        self._outcome: tuple[bool, Any] | None = None  # (raised?, value or exception)

    def run(self) -> None:
        fn, args, kwargs = self._call
        try:
            self._outcome = (False, fn(*args, **kwargs))
        except BaseException as exc:
            self._outcome = (True, exc)
        self._latch.release()

    def result(self, timeout: float | None = None) -> R:
        if not self._latch.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            raise TimeoutError(f"the job did not finish within {timeout} s")
        self._latch.release()  # let every other waiter through as well
        raised, value = cast("tuple[bool, Any]", self._outcome)
        if raised:
            raise value
        return cast("R", value)

    def done(self) -> bool:
        return self._outcome is not None


class _Worker(threading.Thread):
    """Runs jobs from the shared queue until it takes None."""

    def __init__(self, jobs: queue.SimpleQueue[Job[Any] | None], number: int) -> None:
        super().__init__(name=f"worker-{number}", daemon=True)
        self._jobs = jobs

    def run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job.run()


class WorkerPool:
    """A fixed crew of `_Worker` threads; shutdown queues one None per worker after the last job."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._jobs: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._gate = threading.Lock()
        self._open = True
        self._crew = [_Worker(self._jobs, n) for n in range(workers)]
        for worker in self._crew:
            worker.start()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job = Job(fn, args, kwargs)
        with self._gate:
            if not self._open:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            self._jobs.put(job)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._gate:
            if self._open:
                self._open = False
                for _ in self._crew:
                    self._jobs.put(None)
        if wait:
            for worker in self._crew:
                worker.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
