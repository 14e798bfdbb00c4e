"""Sends a stage's exception straight to the caller, which raises it at once without stopping or joining the other
threads (daemons), so they stay blocked on their queues after run_pipeline has raised.

expect-fail: test_no_thread_is_left_running
expect-words: still running
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


@dataclass
class _Failed:
    error: Exception


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    queues: list[queue.Queue[Any]] = [queue.Queue(maxsize) for _ in range(len(stages) + 1)]

    def produce() -> None:
        try:
            for item in items:
                queues[0].put(item)
        except Exception as exc:
            queues[-1].put(_Failed(exc))
            return
        queues[0].put(_DONE)

    def work(stage: Callable[[Any], Any], inbox: queue.Queue[Any], outbox: queue.Queue[Any]) -> None:
        while (item := inbox.get()) is not _DONE:
            try:
                outbox.put(stage(item))
            except Exception as exc:
                queues[-1].put(_Failed(exc))  # straight to the caller
                return
        outbox.put(_DONE)

    threads = [threading.Thread(target=produce, name="producer", daemon=True)]
    for index, stage in enumerate(stages):
        args = (stage, queues[index], queues[index + 1])
        threads.append(threading.Thread(target=work, args=args, name=f"stage {index}", daemon=True))
    for thread in threads:
        thread.start()

    results = []
    while (result := queues[-1].get()) is not _DONE:
        if isinstance(result, _Failed):
            raise result.error  # MISTAKE: the other threads are never stopped or joined
        results.append(result)
    for thread in threads:
        thread.join()
    return results
