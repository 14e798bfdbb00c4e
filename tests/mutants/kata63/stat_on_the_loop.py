"""Checks os.path.exists and os.path.getsize on the loop thread before reading the file in a worker thread: file-system I/O in the coroutine.

expect-fail: test_the_file_is_read_off_the_loop
expect-words: file system, os.path.exists, loop
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
import os
from pathlib import Path


async def process(
    path: str, upload: Callable[[str], Awaitable[None]], *, retries: int = 3, backoff: float = 0.05
) -> str:
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        raise FileNotFoundError(path)
    data = await asyncio.to_thread(Path(path).read_bytes)
    text = await asyncio.to_thread(digest, data)
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
