"""Kata 63 reference — style: executor.submit + asyncio.wrap_future, reading in chunks; retry with a delays list."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import io
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


_POOL = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="k63")


def _slurp(path: str) -> bytes:
    out = io.BytesIO()
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(65536):
            out.write(chunk)
    return out.getvalue()


async def process(
    path: str, upload: Callable[[str], Awaitable[None]], *, retries: int = 3, backoff: float = 0.05
) -> str:
    data = await asyncio.wrap_future(_POOL.submit(_slurp, path))
    value = await asyncio.wrap_future(_POOL.submit(digest, data))
    delays = [backoff * 2**n for n in range(retries)]
    last: ConnectionError | None = None
    for n in range(retries + 1):
        if n:
            await asyncio.sleep(delays[n - 1])
        try:
            await upload(value)
            return value
        except ConnectionError as exc:
            last = exc
    assert last is not None
    raise last
