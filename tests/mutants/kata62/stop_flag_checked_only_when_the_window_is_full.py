"""Its worker thread checks the stop flag only when it runs out of read-ahead room, so after aclose() it goes on pulling up to 8 more items.

expect-fail: test_closing_the_stream_early_stops_the_pulling_thread
expect-words: inside a pull, more items, read-ahead window
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
AHEAD = 8


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    return await asyncio.wait_for(asyncio.to_thread(func, *args), timeout)


def _running_loop_here() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    if loop is None:
        async def main() -> T:
            return await asyncio.wait_for(coro_fn(*args), timeout)

        return asyncio.run(main())
    if _running_loop_here() is loop:
        raise RuntimeError("run_async called on the thread that runs the loop: it would deadlock")
    future = asyncio.run_coroutine_threadsafe(coro_fn(*args), loop)
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise TimeoutError(f"coroutine did not finish within {timeout} s") from None


_DONE = object()


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    credits = threading.Semaphore(AHEAD)
    stop = threading.Event()

    def pull() -> None:
        try:
            iterator = iter(iterable)
            while True:
                while not credits.acquire(timeout=0.05):
                    if stop.is_set():
                        return
                try:
                    item = next(iterator)
                except StopIteration:
                    loop.call_soon_threadsafe(queue.put_nowait, (_DONE, None))
                    return
                except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                    loop.call_soon_threadsafe(queue.put_nowait, (None, exc))
                    return
                loop.call_soon_threadsafe(queue.put_nowait, (item, None))
        except RuntimeError:
            return  # the loop is closed: nobody is listening any more

    thread = threading.Thread(target=pull, name="stream-puller", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = await queue.get()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item
            credits.release()  # the consumer has received `item` and asks for the next one
    finally:
        stop.set()
