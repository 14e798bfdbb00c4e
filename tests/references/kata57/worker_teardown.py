"""Kata 57 reference — style: closures and a dataclass Job; each worker tears down per-thread state (0.2 s) after
its sentinel, so workers of a shutdown(wait=False) pool are still exiting while later code runs."""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R")


def _close_thread_resources() -> None:
    """Per-thread clean-up a worker does after its sentinel (closing a connection, say)."""
    threading.Event().wait(0.2)


@dataclass(eq=False)
class Job(Generic[R]):
    call: Callable[[], R] | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)
    _value: Any = None
    _exc: BaseException | None = None

    def result(self, timeout: float | None = None) -> R:
        if self._event.wait(timeout=timeout):
            if self._exc is None:
                return self._value
            raise self._exc
        raise TimeoutError(f"{self!r} not finished after {timeout}s")

    def done(self) -> bool:
        return self._event.is_set()


class WorkerPool:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers < 1")
        jobs: queue.Queue[Job | None] = queue.Queue()

        def worker() -> None:
            for job in iter(jobs.get, None):
                try:
                    job._value = job.call()
                except BaseException as exc:
                    job._exc = exc
                finally:
                    job.call = None
                    job._event.set()
                    jobs.task_done()
            jobs.task_done()
            _close_thread_resources()

        self._jobs = jobs
        self._guard = threading.Lock()
        self._stopped = False
        self._threads = tuple(threading.Thread(target=worker) for _ in range(workers))
        for t in self._threads:
            t.start()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job: Job[R] = Job(functools.partial(fn, *args, **kwargs))
        with self._guard:
            if self._stopped:
                raise RuntimeError("this WorkerPool no longer accepts jobs")
            self._jobs.put(job)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._guard:
            already, self._stopped = self._stopped, True
        if not already:
            for _ in self._threads:
                self._jobs.put(None)
        if wait:
            self._jobs.join()
            for t in self._threads:
                t.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(True)
