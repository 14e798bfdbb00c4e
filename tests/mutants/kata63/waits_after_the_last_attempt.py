"""Sleeps after every failed attempt, the last one too, and only then raises the error.

expect-fail: test_the_last_error_is_raised_after_every_retry
expect-words: attempts
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


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


async def process(
    path: str, upload: Callable[[str], Awaitable[None]], *, retries: int = 3, backoff: float = 0.05
) -> str:
    data = await asyncio.to_thread(read_bytes, path)
    result = await asyncio.to_thread(digest, data)

    last_error: ConnectionError | None = None
    for attempt in range(retries + 1):
        try:
            await upload(result)
            return result
        except ConnectionError as error:
            last_error = error
            await asyncio.sleep(backoff * 2**attempt)  # MUTANT: also waits after the last attempt
    assert last_error is not None
    raise last_error
