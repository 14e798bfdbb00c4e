"""Reads the whole input with list(items) before the threads start, so an endless input is never done being read and
backpressure never gets a chance.

expect-fail: test_the_producer_stops_reading_when_the_last_stage_stalls
expect-words: no stage got one, up front
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()
"""The end of the stream: never an item, unlike None."""


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    queues: list[queue.Queue[Any]] = [queue.Queue(maxsize) for _ in range(len(stages) + 1)]
    stop = threading.Event()
    errors: list[Exception] = []
    lock = threading.Lock()

    def fail(exc: Exception) -> None:
        with lock:
            if not errors:
                errors.append(exc)
        stop.set()

    everything = list(items)  # MUTANT: reads every item up front, in the calling thread

    def produce() -> None:
        iterator = iter(everything)
        try:
            while not stop.is_set():  # after an error, read no further
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                queues[0].put(item)
        except Exception as exc:
            fail(exc)
        finally:
            queues[0].put(_DONE)

    def work(stage: Callable[[Any], Any], inbox: queue.Queue[Any], outbox: queue.Queue[Any]) -> None:
        # Always read up to the sentinel (discarding items once stopped), so the thread before never
        # stays blocked on a full queue; always pass the sentinel on, so the thread after ends too.
        while (item := inbox.get()) is not _DONE:
            if stop.is_set():
                continue
            try:
                outbox.put(stage(item))
            except Exception as exc:
                fail(exc)
        outbox.put(_DONE)

    threads = [threading.Thread(target=produce, name="producer")]
    for index, stage in enumerate(stages):
        args = (stage, queues[index], queues[index + 1])
        threads.append(threading.Thread(target=work, args=args, name=f"stage {index}"))
    for thread in threads:
        thread.start()

    results = []
    while (result := queues[-1].get()) is not _DONE:
        results.append(result)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
