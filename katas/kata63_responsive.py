"""Kata 63 · Keeping the event loop responsive (Effective Python, Item 63).

An event loop runs every coroutine on one thread, and it only switches between them at an ``await``.
A call that blocks inside a coroutine (reading a file, crunching numbers, ``time.sleep``, waiting on
a thread's result) blocks the whole loop with it: for that long no other coroutine runs, no timer
fires and no socket is served, and the program stops answering.  The cure is to hand such work to a
thread and *await* it: ``asyncio.to_thread`` (or ``loop.run_in_executor``) gives back an awaitable,
so the loop keeps running while a worker thread does the blocking part.  Functions such as
``hashlib``'s hashing release the GIL while they work, so the loop really runs alongside them.

Write ``async def process(path, upload, retries=..., backoff=...)``.  ``digest(data)`` below is
given: a CPU-heavy function (about 0.2 s) that returns the hex digest of ``data``.  ``upload`` is a
coroutine function (the grader passes fakes): ``await upload(text)`` sends the digest somewhere.

Task 1 · Read and digest off the loop: ``process`` reads the bytes of the file at ``path`` and
computes ``digest(data)``, and both happen on a worker thread, never on the loop's thread: the
coroutine awaits them (``asyncio.to_thread`` or ``loop.run_in_executor``).  Call ``digest`` by its
name in this module (the grader watches it).  Don't block while waiting either: no
``future.result()``, no ``thread.join()`` inside the coroutine.  Then ``await upload(...)`` with the
digest, and return the digest.  Eight ``process`` calls running at the same time must leave the loop
free to run everything else.

Task 2 · Retry with backoff: if ``upload`` raises ``ConnectionError`` (or a subclass such as
``ConnectionResetError``), wait ``backoff * 2**attempt`` seconds (attempt = 0, 1, 2, ...: with
``backoff=0.05`` that is 0.05, 0.1, 0.2, ...) and try again, at most ``retries`` more times after
the first attempt.  Wait with ``await asyncio.sleep``, never ``time.sleep``.  When the last attempt
fails too, raise its error at once (no wait after the last attempt).  Any other exception from
``upload`` is a real bug, not a hiccup: raise it at once, without retrying.

Run ``tox -e kata63`` to grade this file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

ROUNDS = 2300  # about 0.2 s of hashing on the grading machine


def digest(data: bytes) -> str:
    """The hex digest of ``data``: CPU-heavy (about 0.2 s) work on ``hashlib``, which releases the GIL.

    Given, complete: don't change it.  Call it from a worker thread, never on the event loop's thread.
    """
    seed = hashlib.sha256(data).digest()
    block = seed * 4096  # 128 KiB: hashlib releases the GIL for blocks this big
    hasher = hashlib.sha256(data)
    for _ in range(ROUNDS):
        hasher.update(block)
    return hasher.hexdigest()


async def process(
    path: str, upload: Callable[[str], Awaitable[None]], *, retries: int = 3, backoff: float = 0.05
) -> str:
    """Read the file at ``path`` and ``digest`` it (both off the loop), ``await upload(digest)``; return the digest.

    A ``ConnectionError`` from ``upload`` is retried up to ``retries`` more times, after waiting
    ``backoff * 2**attempt`` seconds (attempt = 0, 1, ...) without blocking the loop.

    Raises:
        ConnectionError: the error of the last attempt, once every retry has failed (no wait after it).
        Exception: any other exception from ``upload``, at once, without a retry.
    """
    # TODO: data = await asyncio.to_thread(...) to read the file; the same for digest(data);
    #       then a loop of attempts around `await upload(...)` with `await asyncio.sleep(...)` between them.
    raise NotImplementedError
