"""Computes the digest on a thread pool with ``executor.map`` but takes its result with ``next()`` in the coroutine, which waits on the future there.

expect-fail: test_nothing_waits_on_a_thread_or_future_in_the_coroutine
expect-words: waits, future.result(), executor.map()
"""

from __future__ import annotations

import hashlib
import asyncio
import concurrent.futures
_POOL = concurrent.futures.ThreadPoolExecutor(4)
from pathlib import Path
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
    data = await asyncio.to_thread(Path(path).read_bytes)
    text = next(_POOL.map(digest, [data]))  # MUTANT: waits for the pool's future on the loop's thread
    for attempt in range(retries + 1):
        try:
            await upload(text)
        except ConnectionError:
            if attempt == retries:
                raise
            await asyncio.sleep(backoff * 2**attempt)
        else:
            return text
    raise AssertionError("unreachable")
