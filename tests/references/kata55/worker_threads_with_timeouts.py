"""Kata 55 reference — style: Thread subclasses on plain bounded Queues, whose put/get wait at most 0.05 s at a
time and then check a stop Event (idle threads still mostly block)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

PATIENCE = 0.05
"""How long one put or get waits before looking at the stop Event again."""


class Stopped(Exception):
    """The pipeline was told to stop while this thread waited on a queue."""


class Pipeline:
    """The queues between the threads, the stop Event, and the first exception raised."""

    END = object()

    def __init__(self, stages: int, maxsize: int) -> None:
        self.queues: list[queue.Queue[Any]] = [queue.Queue(maxsize) for _ in range(stages + 1)]
        self.stop = threading.Event()
        self.error: Exception | None = None
        self._lock = threading.Lock()

    def fail(self, exc: Exception) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc
        self.stop.set()

    def put(self, q: queue.Queue[Any], item: Any) -> None:
        while not self.stop.is_set():
            try:
                q.put(item, timeout=PATIENCE)
                return
            except queue.Full:
                pass
        raise Stopped

    def get(self, q: queue.Queue[Any]) -> Any:
        while not self.stop.is_set():
            try:
                return q.get(timeout=PATIENCE)
            except queue.Empty:
                pass
        raise Stopped

    def stream(self, q: queue.Queue[Any]) -> Iterator[Any]:
        while (item := self.get(q)) is not self.END:
            yield item


class Producer(threading.Thread):
    def __init__(self, pipeline: Pipeline, items: Iterable[Any]) -> None:
        super().__init__(name="producer")
        self.pipeline = pipeline
        self.items = items

    def run(self) -> None:
        p = self.pipeline
        try:
            iterator = iter(self.items)
            while not p.stop.is_set():
                try:
                    item = next(iterator)
                except StopIteration:
                    p.put(p.queues[0], p.END)
                    return
                p.put(p.queues[0], item)
        except Stopped:
            pass
        except Exception as exc:
            p.fail(exc)


class StageWorker(threading.Thread):
    def __init__(self, pipeline: Pipeline, index: int, func: Callable[[Any], Any]) -> None:
        super().__init__(name=f"stage {index}")
        self.pipeline = pipeline
        self.func = func
        self.inbox = pipeline.queues[index]
        self.outbox = pipeline.queues[index + 1]

    def run(self) -> None:
        p = self.pipeline
        try:
            for item in p.stream(self.inbox):
                p.put(self.outbox, self.func(item))
            p.put(self.outbox, p.END)
        except Stopped:
            pass
        except Exception as exc:
            p.fail(exc)


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    pipeline = Pipeline(len(stages), maxsize)
    threads: list[threading.Thread] = [Producer(pipeline, items)]
    threads += [StageWorker(pipeline, index, func) for index, func in enumerate(stages)]
    for thread in threads:
        thread.start()
    results: list[Any] = []
    try:
        results.extend(pipeline.stream(pipeline.queues[-1]))
    except Stopped:
        pass
    finally:
        pipeline.stop.set()  # harmless once the stream ended; otherwise the threads give up within PATIENCE
        for thread in threads:
            thread.join()
    if pipeline.error is not None:
        raise pipeline.error
    return results
