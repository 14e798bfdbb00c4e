"""Waits the same ``backoff`` before every retry instead of doubling it each time.

expect-fail: test_a_connection_error_is_retried_with_doubling_backoff
expect-words: backoff
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

    attempt = 0
    while True:
        try:
            await upload(result)
        except ConnectionError:
            if attempt >= retries:
                raise
            await asyncio.sleep(backoff)  # MUTANT: never doubles
            attempt += 1
        else:
            return result
