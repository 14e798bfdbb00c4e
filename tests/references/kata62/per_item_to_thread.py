"""Kata 62 reference — style: one asyncio.to_thread(next, it, sentinel) per item (no read-ahead, idle pool threads)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    async with asyncio.timeout(timeout):
        return await asyncio.to_thread(func, *args)


def _on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    async def job() -> T:
        return await coro_fn(*args)

    if loop is None:
        return asyncio.run(asyncio.wait_for(job(), timeout))
    if _on_loop_thread(loop):
        raise RuntimeError("run_async must not be called on the thread running the loop")
    fut = asyncio.run_coroutine_threadsafe(job(), loop)
    done, _ = concurrent.futures.wait([fut], timeout=timeout)
    if not done:
        fut.cancel()
        raise TimeoutError(f"no result after {timeout} s; cancellation requested")
    return fut.result()


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    it = await asyncio.to_thread(iter, iterable)
    while True:
        item = await asyncio.to_thread(next, it, _DONE)
        if item is _DONE:
            return
        yield item
