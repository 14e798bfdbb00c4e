"""Kata 62 · Mixing threads and coroutines (Effective Python, Item 62).

A program rarely moves to asyncio in one go: coroutines arrive one module at a time, next to code
that still blocks.  The two worlds can call each other, as long as each side respects the other's
rules.  An event loop runs every coroutine on one thread, so blocking code called from a coroutine
must run in another thread while the loop goes on; synchronous code that wants a coroutine's result
must either run a loop of its own or hand the coroutine to a loop that is already running, through
the few calls that are safe from another thread (``call_soon_threadsafe``,
``run_coroutine_threadsafe``).  Everything else of a loop (``call_soon``, an ``asyncio.Queue``, a
future's ``set_result``) may only be touched from the loop's own thread.

Task 1 · blocking code from coroutines: write ``await run_blocking(func, *args, timeout=...)``, which
calls ``func(*args)`` in a worker thread while the event loop keeps running, and returns its value
(or raises its exception).  Several calls gathered at once run at the same time: at least 5 of them.
Past ``timeout`` seconds it raises ``TimeoutError`` promptly, without waiting for ``func``: the thread
may finish later (a thread cannot be stopped from outside).

Task 2 · coroutines from blocking code: write ``run_async(coro_fn, *args, loop=..., timeout=...)``,
which synchronous code calls to get the result of ``await coro_fn(*args)``.  With ``loop=None`` it runs
the coroutine on a fresh event loop and closes that loop afterwards.  With a ``loop`` that runs in
another thread, it schedules the coroutine on that loop thread-safely and waits for the result; never
``asyncio.run`` or ``run_until_complete`` a loop that is already running.  Past ``timeout`` seconds it
requests the coroutine's cancellation and raises ``TimeoutError``.  Called from the very thread that
runs ``loop`` (a callback or a coroutine on it), it raises ``RuntimeError`` at once: waiting there
would stop the loop that has to produce the result, a deadlock.

Task 3 · a blocking iterable as an async stream: write the async generator ``stream(iterable)``, so
that ``async for item in stream(iterable)`` works for an iterable whose ``__next__`` blocks.  Pull the
items in a worker thread, never on the loop, and yield them in order.  Read ahead, but never more than
8 items beyond those the consumer has received: don't read the whole iterable first.  Hand each item
to the loop with ``loop.call_soon_threadsafe`` (or ``run_coroutine_threadsafe``): an
``asyncio.Queue``'s ``put_nowait`` called from the worker thread is not thread-safe.  An exception
from the iterable is raised in the ``async for``, the original object.  If the consumer stops early
(``break``, then ``await`` the generator's ``aclose()``), the thread pulling the items stops within
one item and exits: a ``finally`` in the generator is where to tell it.

Run ``tox -e kata62`` to grade this file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def run_blocking(func: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T:
    """``func(*args)`` run in a worker thread while the loop keeps running; its value.

    Raises:
        Exception: whatever ``func`` raised.
        TimeoutError: ``func`` has not returned ``timeout`` seconds after the call began.
    """
    # TODO: asyncio.to_thread (or loop.run_in_executor) under asyncio.wait_for / asyncio.timeout.
    raise NotImplementedError


def run_async(
    coro_fn: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = None,
) -> T:
    """The result of ``await coro_fn(*args)``, from synchronous code: on a fresh loop, or on ``loop``.

    Raises:
        Exception: whatever the coroutine raised.
        TimeoutError: the coroutine is not done ``timeout`` seconds after the call began (it is cancelled).
        RuntimeError: called from the thread that runs ``loop``.
    """
    # TODO: loop=None: asyncio.run; otherwise asyncio.run_coroutine_threadsafe(...).result(timeout),
    #       cancelling the future on timeout; first check that this thread is not running `loop`.
    raise NotImplementedError


async def stream(iterable: Iterable[T]) -> AsyncIterator[T]:
    """Every item of ``iterable``, in order, pulled in a worker thread at most 8 items ahead of the consumer.

    Raises:
        Exception: whatever the iterable raised, in the ``async for``.
    """
    # TODO: a worker thread that takes a credit (at most 8), pulls one item and hands it to the loop with
    #       loop.call_soon_threadsafe; give a credit back per item received; stop the thread in a `finally`.
    raise NotImplementedError
    yield  # makes this function an async generator
