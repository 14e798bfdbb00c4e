"""Kata 62 reference — style: its own executor, a waiter future woken by call_soon_threadsafe, a Condition window."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

WINDOW = 8
"""Items the worker may pull beyond those the consumer has received."""

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="run-blocking")


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):  # cancels the wait, not the thread: func may finish later
        return await loop.run_in_executor(_pool, func, *args)


def _fresh_loop(coro_fn: Callable[..., Awaitable[T]], args: tuple[Any, ...], timeout: float | None) -> T:
    async def main() -> T:
        async with asyncio.timeout(timeout):
            return await coro_fn(*args)

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    if loop is None:
        return _fresh_loop(coro_fn, args, timeout)
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if current is loop:
        raise RuntimeError("run_async() cannot wait for a coroutine on the loop of its own thread")

    result: concurrent.futures.Future[T] = concurrent.futures.Future()
    tasks: list[asyncio.Task[T]] = []

    async def main() -> T:
        return await coro_fn(*args)

    def copy(task: asyncio.Task[T]) -> None:
        if task.cancelled():
            result.cancel()
        elif task.exception() is not None:
            result.set_exception(task.exception())
        else:
            result.set_result(task.result())

    def start() -> None:  # runs on the loop's thread
        if result.set_running_or_notify_cancel():
            task = loop.create_task(main())
            tasks.append(task)
            task.add_done_callback(copy)

    def cancel() -> None:  # runs on the loop's thread
        for task in tasks:
            task.cancel()

    loop.call_soon_threadsafe(start)
    try:
        return result.result(timeout)
    except TimeoutError:
        if not result.cancel():
            loop.call_soon_threadsafe(cancel)
        raise


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    window = threading.Condition()
    credits = WINDOW  # guarded by `window`
    stopped = False  # guarded by `window`
    arrived: deque[tuple[str, Any]] = deque()  # ("item", x), ("error", e) or ("end", None); loop thread only
    waiter: asyncio.Future[None] | None = None  # loop thread only

    def arrive(kind: str, value: Any) -> None:  # runs on the loop's thread
        arrived.append((kind, value))
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def send(kind: str, value: Any = None) -> bool:
        try:
            loop.call_soon_threadsafe(arrive, kind, value)
        except RuntimeError:  # the loop is closed
            return False
        return True

    def take_credit() -> bool:
        nonlocal credits
        with window:
            window.wait_for(lambda: credits > 0 or stopped)
            if stopped:
                return False
            credits -= 1
            return True

    def pull() -> None:
        try:
            iterator = iter(iterable)
            while take_credit():
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                with window:
                    if stopped:
                        return
                if not send("item", item):
                    return
        except BaseException as error:
            send("error", error)
            return
        send("end")

    worker = threading.Thread(target=pull, name="stream-pull", daemon=True)
    worker.start()
    try:
        while True:
            while not arrived:
                waiter = loop.create_future()
                await waiter
            kind, value = arrived.popleft()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
            with window:  # the consumer has received the item: one more may be pulled
                credits += 1
                window.notify()
    finally:
        with window:
            stopped = True
            window.notify_all()
