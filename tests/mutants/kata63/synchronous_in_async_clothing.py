"""Writes ``process`` as plain synchronous code in an ``async def``: it reads and digests right on the loop.

expect-fail: test_eight_calls_keep_the_loop_responsive
expect-words: late
"""

from __future__ import annotations

import asyncio
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
    with open(path, "rb") as file:  # MUTANT: blocking read on the loop's thread ...
        data = file.read()
    result = digest(data)  # ... and the CPU-heavy digest too

    attempt = 0
    while True:
        try:
            await upload(result)
        except ConnectionError:
            if attempt >= retries:
                raise  # the last attempt's error, at once
            await asyncio.sleep(backoff * 2**attempt)
            attempt += 1
        else:
            return result
