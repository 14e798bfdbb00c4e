"""Uses None as the sentinel (iter(q.get, None)): the first None item ends a stage's loop early, and the threads
upstream are left blocked on put() into a queue nobody drains any more, so the pipeline hangs.

expect-fail: test_none_is_an_ordinary_item
expect-words: none used as the sentinel, object()
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

SENTINEL = None


class _Abort:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.flag = threading.Event()
        self.first: BaseException | None = None

    def record(self, exc: BaseException) -> None:
        with self._lock:
            if self.first is None:
                self.first = exc
        self.flag.set()


def _produce(items: Iterable[Any], out: queue.Queue, abort: _Abort) -> None:
    try:
        iterator = iter(items)
        while not abort.flag.is_set():
            try:
                item = next(iterator)
            except StopIteration:
                return
            out.put(item)
    except Exception as exc:
        abort.record(exc)
    finally:
        out.put(SENTINEL)


def _stage(func: Callable[[Any], Any], inq: queue.Queue, out: queue.Queue, abort: _Abort) -> None:
    try:
        for item in iter(inq.get, SENTINEL):
            if abort.flag.is_set():
                continue
            try:
                out.put(func(item))
            except Exception as exc:
                abort.record(exc)
    finally:
        out.put(SENTINEL)


def run_pipeline(items: Iterable[Any], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return [*items]
    abort = _Abort()
    qs = [queue.Queue(maxsize=maxsize) for _ in range(len(stages) + 1)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(stages) + 1, thread_name_prefix="pipeline") as pool:
        futures = [pool.submit(_produce, items, qs[0], abort)]
        futures += [pool.submit(_stage, f, qs[i], qs[i + 1], abort) for i, f in enumerate(stages)]
        results = list(iter(qs[-1].get, SENTINEL))
        concurrent.futures.wait(futures)
        for fut in futures:
            fut.result()  # a bug in the loops themselves would surface here
    if abort.first is not None:
        raise abort.first
    return results
