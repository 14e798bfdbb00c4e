"""Kata 63 reference — style: loop.run_in_executor on the default executor; a for loop that sleeps before each retry."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

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
    loop = asyncio.get_running_loop()
    data = await loop.run_in_executor(None, Path(path).read_bytes)
    result = await loop.run_in_executor(None, digest, data)

    last_error: ConnectionError | None = None
    for attempt in range(max(retries, 0) + 1):
        if attempt:
            await asyncio.sleep(backoff * 2 ** (attempt - 1))  # only between attempts: never after the last
        try:
            await upload(result)
        except ConnectionError as error:
            last_error = error
        else:
            return result
    assert last_error is not None
    raise last_error
