"""Stops the pulling thread in the generator's ``finally`` and then joins it there, so ``aclose()`` blocks the loop's thread until the pull in progress ends.

expect-fail: test_closing_the_stream_early_stops_the_pulling_thread
expect-words: aclose(), event loop's own thread, thread.join()
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

WINDOW = 8


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    return await asyncio.wait_for(asyncio.to_thread(func, *args), timeout)


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    async def main() -> T:
        return await coro_fn(*args)

    if loop is None:
        async def with_timeout() -> T:
            return await asyncio.wait_for(main(), timeout)

        return asyncio.run(with_timeout())

    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if current is loop:
        raise RuntimeError("run_async called from the thread running the target loop: it would deadlock")

    future = asyncio.run_coroutine_threadsafe(main(), loop)
    try:
        return future.result(timeout)
    except TimeoutError:
        if not future.done():
            future.cancel()
            raise TimeoutError(f"coroutine not done after {timeout} s") from None
        raise


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    credits = threading.Semaphore(WINDOW)
    stop = threading.Event()

    def deliver(kind: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
        except RuntimeError:  # loop closed: nobody is listening any more
            stop.set()

    def worker() -> None:
        try:
            iterator = iter(iterable)
            while True:
                credits.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(iterator)
                except StopIteration:
                    deliver("done", None)
                    return
                except BaseException as exc:  # noqa: BLE001 - forwarded to the consumer
                    deliver("error", exc)
                    return
                if stop.is_set():
                    return
                deliver("item", item)
        except BaseException as exc:  # iter() itself failed
            deliver("error", exc)

    thread = threading.Thread(target=worker, name="stream-puller", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = await queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
            credits.release()  # the consumer came back: it is done with this item
    finally:
        stop.set()
        credits.release()  # wake the worker if it waits for a credit
        thread.join()  # MUTANT: blocks the loop's thread until the current pull ends
