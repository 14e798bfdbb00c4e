"""Iterates the blocking iterable directly in the async generator, so every ``__next__`` runs on the loop's thread.

expect-fail: test_stream_pulls_in_a_worker_thread
expect-words: worker thread, until it returns
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
    for item in iterable:  # MUTANT: each blocking __next__ runs on the loop's thread
        yield item
        await asyncio.sleep(0)
