"""Bounds the read-ahead with ``asyncio.Queue(maxsize=8)`` but pulls the next item before waiting for room, so 9 items are out beyond those received.

expect-fail: test_stream_reads_at_most_eight_items_ahead
expect-words: ahead, in the thread's hand
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

AHEAD = 8
"""Items the worker may pull beyond those the consumer has received."""


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    # to_thread uses the loop's default executor: min(32, cpus + 4) threads, so at least 5 at once.
    return await asyncio.wait_for(asyncio.to_thread(func, *args), timeout)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _call(coro_fn: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
    return await coro_fn(*args)


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    if loop is None:
        return asyncio.run(asyncio.wait_for(_call(coro_fn, args), timeout))  # a fresh loop, closed after
    if _running_loop() is loop:
        raise RuntimeError("run_async() called from the thread that runs the loop: waiting here would deadlock")
    future = asyncio.run_coroutine_threadsafe(_call(coro_fn, args), loop)
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()  # asks the loop, thread-safely, to cancel the task
        raise


_DONE = object()
"""Put after the last item."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[Any] = asyncio.Queue(maxsize=AHEAD)  # MUTANT: the item in the thread's hand is a 9th
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        try:
            asyncio.run_coroutine_threadsafe(items.put(item), loop).result()
        except (RuntimeError, concurrent.futures.CancelledError):  # the loop is closed or the put cancelled
            return False
        return True

    def pull() -> None:
        try:
            iterator = iter(iterable)
            while True:
                if stop.is_set():
                    return
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                if stop.is_set() or not hand_over(item):
                    return
        except BaseException as error:
            hand_over(_Failed(error))
            return
        hand_over(_DONE)

    worker = threading.Thread(target=pull, name="stream-pull", daemon=True)
    worker.start()
    try:
        while True:
            item = await items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while not items.empty():  # makes room, so a put the thread waits on can finish
            items.get_nowait()
