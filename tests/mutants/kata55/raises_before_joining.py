"""Raises a stage's exception as soon as the collecting loop sees it, without joining the producer and the stages
(daemons "wind down on their own"), so run_pipeline raises while its threads still run.

expect-fail: test_no_thread_is_left_running
expect-words: still running, next(items), without waiting
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

SENTINEL = object()


def run_pipeline(items: Iterable[Any], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    stop = threading.Event()
    errors: list[BaseException] = []
    lock = threading.Lock()
    qs = [queue.Queue(maxsize) for _ in range(len(stages) + 1)]

    def fail(exc):
        with lock:
            if not errors:
                errors.append(exc)
        stop.set()

    def produce():
        try:
            it = iter(items)
            while not stop.is_set():
                try:
                    item = next(it)
                except StopIteration:
                    break
                qs[0].put(item)
        except Exception as exc:
            fail(exc)
        qs[0].put(SENTINEL)

    def work(i):
        func, inq, outq = stages[i], qs[i], qs[i + 1]
        for item in iter(inq.get, SENTINEL):
            if stop.is_set():
                continue
            try:
                outq.put(func(item))
            except Exception as exc:
                fail(exc)
                outq.put(SENTINEL)  # wake the collector at once
        outq.put(SENTINEL)

    threads = [threading.Thread(target=produce, daemon=True)]
    threads += [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(stages))]
    for t in threads:
        t.start()
    results = []
    while True:
        item = qs[-1].get()
        if errors:
            raise errors[0]  # fail fast; the daemon threads wind down on their own
        if item is SENTINEL:
            break
        results.append(item)
    for t in threads:
        t.join()
    return results
