"""Instead of sentinels, workers wake every 10 ms from get(timeout=0.01) to check a closed flag.

expect-fail: test_idle_workers_block_instead_of_polling
expect-words: polling
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
        if not self._finished.wait(timeout):
            raise TimeoutError(f"the job did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        return cast("R", self._value)

    def done(self) -> bool:
        return self._finished.is_set()


class WorkerPool:
    """`workers` threads, started at once, that stop when the pool is closed and the queue is empty."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {workers}")
        self._jobs: queue.Queue[Job[Any]] = queue.Queue()
        self._lock = threading.Lock()  # makes "is it shut down?" and "enqueue" one step
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"worker-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=0.01)  # MUTANT: wakes 100 times a second to look at the flag
            except queue.Empty:
                if self._closed:
                    return
                continue
            job.run()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job = Job(fn, args, kwargs)
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            self._jobs.put(job)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._closed = True
        if wait:
            for thread in self._threads:
                thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
