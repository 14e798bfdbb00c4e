"""Workers start lazily, but submit() compares the number of threads with the maximum and starts one outside the lock, so concurrent submits start more than `workers` threads.

expect-fail: test_never_more_threads_than_workers_when_threads_submit_at_once
expect-words: never more than, two steps, under one lock
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Job(Generic[R]):
    __slots__ = ("_done", "_ok", "_payload")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._ok = False
        self._payload: Any = None

    def result(self, timeout: float | None = None) -> R:
        if not self._done.wait(timeout=timeout):
            raise TimeoutError
        if not self._ok:
            raise self._payload
        return self._payload

    def done(self) -> bool:
        return self._done.is_set()


class WorkerPool:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers < 1")
        self._max = workers
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._mutex = threading.Lock()
        self._shut = False
        self._threads: list[threading.Thread] = []

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            job, fn, args, kwargs = item
            try:
                job._payload = fn(*args, **kwargs)
                job._ok = True
            except BaseException as exc:  # noqa: BLE001
                job._payload = exc
            job._done.set()
            del item, job, fn, args, kwargs
            self._idle.release()

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Job[R]:
        job: Job[R] = Job()
        with self._mutex:
            if self._shut:
                raise RuntimeError("submit after shutdown")
            self._work.put((job, fn, args, kwargs))
        # an idle worker will take it; otherwise start one more if the budget allows
        if not self._idle.acquire(blocking=False) and len(self._threads) < self._max:
            t = threading.Thread(target=self._worker, name=f"lazy-{len(self._threads)}", daemon=True)
            t.start()
            self._threads.append(t)
        return job

    def shutdown(self, wait: bool = True) -> None:
        with self._mutex:
            if not self._shut:
                self._shut = True
                for _ in self._threads:
                    self._work.put(None)
            threads = list(self._threads)
        if wait:
            for t in threads:
                if t is not threading.current_thread():
                    t.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)
