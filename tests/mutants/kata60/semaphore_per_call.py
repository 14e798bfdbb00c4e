"""Creates a new ``asyncio.Semaphore(limit)`` inside each task, so every call has a semaphore of its own and nothing is bounded.

expect-fail: test_never_more_than_limit_calls_at_once
expect-words: more than
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    seen = {root}

    async def visit(page: str, group: asyncio.TaskGroup) -> None:
        async with asyncio.Semaphore(limit):  # MUTANT: one semaphore per call, not one shared by all
            found = list(await get_links(page))
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
