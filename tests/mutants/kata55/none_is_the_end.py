"""Closes each queue by putting None, so the first None item is taken for the end of the stream and cuts the results
short.

expect-fail: test_none_is_an_ordinary_item
expect-words: none
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class Aborted(Exception):
    """Raised in a thread blocked on (or about to use) a queue that was aborted."""


class ClosableQueue(queue.Queue[Any]):
    """A bounded queue you iterate until it is closed; abort() makes every put and get raise Aborted."""

    _SENTINEL = None  # MISTAKE: None is also an ordinary item

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self._aborted = False

    def close(self) -> None:
        """End the stream: iteration stops after the items already put."""
        self.put(self._SENTINEL)

    def abort(self) -> None:
        """Wake every thread waiting on this queue; from now on put and get raise Aborted."""
        with self.mutex:
            self._aborted = True
            self.not_full.notify_all()
            self.not_empty.notify_all()

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        with self.not_full:
            while not self._aborted and 0 < self.maxsize <= self._qsize():
                self.not_full.wait()
            if self._aborted:
                raise Aborted
            self._put(item)
            self.not_empty.notify()

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        with self.not_empty:
            while not self._aborted and not self._qsize():
                self.not_empty.wait()
            if self._aborted:
                raise Aborted
            item = self._get()
            self.not_full.notify()
            return item

    def __iter__(self) -> Iterator[Any]:
        while (item := self.get()) is not self._SENTINEL:
            yield item


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    if not stages:
        return list(items)
    queues = [ClosableQueue(maxsize) for _ in range(len(stages) + 1)]
    stop = threading.Event()
    errors: list[Exception] = []
    lock = threading.Lock()

    def fail(exc: Exception) -> None:
        with lock:
            if not errors:
                errors.append(exc)
            stop.set()
        for q in queues:
            q.abort()

    def produce() -> None:
        iterator = iter(items)
        try:
            while not stop.is_set():
                try:
                    item = next(iterator)
                except StopIteration:
                    queues[0].close()
                    return
                queues[0].put(item)
        except Aborted:
            pass
        except Exception as exc:
            fail(exc)

    def work(stage: Callable[[Any], Any], inbox: ClosableQueue, outbox: ClosableQueue) -> None:
        try:
            for item in inbox:
                outbox.put(stage(item))
            outbox.close()
        except Aborted:
            pass
        except Exception as exc:
            fail(exc)

    threads = [threading.Thread(target=produce, name="producer")]
    threads += [
        threading.Thread(target=work, args=(stage, queues[i], queues[i + 1]), name=f"stage {i}")
        for i, stage in enumerate(stages)
    ]
    for thread in threads:
        thread.start()
    results: list[Any] = []
    try:
        results.extend(queues[-1])
    except Aborted:
        pass
    finally:
        for q in queues:  # on success every thread is past its last put; after an error this unblocks them
            q.abort()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results
