"""Reads the whole iterable into a list in a worker thread and then yields from the list, so nothing is yielded until every item is pulled.

expect-fail: test_stream_reads_at_most_eight_items_ahead
expect-words: ahead, whole iterable
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


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


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    items = await asyncio.to_thread(list, iterable)  # MUTANT: pulls everything before the first yield
    for item in items:
        yield item
