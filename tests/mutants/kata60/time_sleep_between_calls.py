"""Pauses politely between calls with ``time.sleep``, which blocks the whole event loop instead of ``await asyncio.sleep``.

expect-fail: test_the_event_loop_is_never_blocked
expect-words: blocked
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable

PAUSE = 0.001  # a polite millisecond between calls


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    seen = {root}
    calls = asyncio.Semaphore(limit)

    async def visit(page: str, group: asyncio.TaskGroup) -> None:
        async with calls:
            found = list(await get_links(page))
            time.sleep(PAUSE)  # MUTANT: blocks the loop; should be `await asyncio.sleep(PAUSE)`
        for link in found:
            if link not in seen:
                seen.add(link)
                group.create_task(visit(link, group))

    error: Exception | None = None
    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as group:
                group.create_task(visit(root, group))
    except* Exception as group_error:
        error = group_error.exceptions[0]
    if error is not None:
        raise error
    return seen
