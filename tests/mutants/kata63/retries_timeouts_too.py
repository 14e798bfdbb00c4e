"""Retries ``TimeoutError`` as well as ``ConnectionError``: a timed-out upload is tried again instead of raised at once.

expect-fail: test_other_errors_are_not_retried
expect-words: timeouterror, at once
"""

from __future__ import annotations

import hashlib
import asyncio
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
    text = await asyncio.to_thread(digest, data)
    for attempt in range(retries + 1):
        try:
            await upload(text)
        except (ConnectionError, TimeoutError):  # MUTANT: a timed-out upload is retried too
            if attempt == retries:
                raise
            await asyncio.sleep(backoff * 2**attempt)
        else:
            return text
    raise AssertionError("unreachable")
