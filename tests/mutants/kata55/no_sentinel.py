"""Lets every stage loop on `while True: inbox.get()` with no sentinel to end the stream, so no stage thread ever
finishes and run_pipeline waits for them forever.

expect-fail: test_items_pass_through_every_stage_in_order
expect-words: did not return
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    queues: list[queue.Queue[Any]] = [queue.Queue(maxsize) for _ in range(len(stages) + 1)]
    stop = threading.Event()
    errors: list[Exception] = []
    results: list[Any] = []

    def fail(exc: Exception) -> None:
        errors.append(exc)
        stop.set()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    break
                queues[0].put(item)
        except Exception as exc:
            fail(exc)

    def work(stage: Callable[[Any], Any], inbox: queue.Queue[Any], outbox: queue.Queue[Any]) -> None:
        while True:  # MISTAKE: nothing ever tells this loop that the stream has ended
            item = inbox.get()
            if stop.is_set():
                continue
            try:
                outbox.put(stage(item))
            except Exception as exc:
                fail(exc)

    def collect() -> None:
        while True:
            results.append(queues[-1].get())

    threads = [threading.Thread(target=produce, name="producer")]
    for index, stage in enumerate(stages):
        args = (stage, queues[index], queues[index + 1])
        threads.append(threading.Thread(target=work, args=args, name=f"stage {index}"))
    threads.append(threading.Thread(target=collect, name="collector"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
