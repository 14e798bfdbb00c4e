"""Retries only an exact ConnectionError (type(error) is ConnectionError), so a ConnectionResetError, a subclass, is raised at once.

expect-fail: test_the_last_error_is_raised_after_every_retry
expect-words: subclass of connectionerror, no retry
"""
from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

ROUNDS = 2300


def digest(data: bytes) -> str:
    seed = hashlib.sha256(data).digest()
    block = seed * 4096
    hasher = hashlib.sha256(data)
    for _ in range(ROUNDS):
        hasher.update(block)
    return hasher.hexdigest()


import asyncio
from pathlib import Path


async def process(
    path: str, upload: Callable[[str], Awaitable[None]], *, retries: int = 3, backoff: float = 0.05
) -> str:
    data = await asyncio.to_thread(Path(path).read_bytes)
    text = await asyncio.to_thread(digest, data)
    for attempt in range(retries + 1):
        try:
            await upload(text)
        except Exception as error:
            if type(error) is not ConnectionError or attempt == retries:
                raise
            await asyncio.sleep(backoff * 2**attempt)
        else:
            return text
    raise AssertionError("unreachable")
