"""Hands items over through a thread-safe ``queue.Queue`` but reads it with the blocking ``q.get()`` in the async generator, so the loop's thread waits for every pull.

expect-fail: test_stream_pulls_in_a_worker_thread
expect-words: event loop's own thread, queue.queue.get()
"""

from __future__ import annotations

import asyncio
import queue
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
    q: queue.Queue = queue.Queue(maxsize=6)
    stop = threading.Event()

    def worker() -> None:
        try:
            for item in iterable:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.05)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001
            q.put(("error", exc))
        else:
            q.put(("end", None))

    thread = threading.Thread(target=worker, name="stream-puller", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()  # MUTANT: blocks the loop's thread until the worker delivers
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
