"""Lets the TaskGroup's ExceptionGroup escape instead of raising the exception of the call that failed.

expect-fail: test_an_error_cancels_the_other_calls_and_is_raised
expect-words: exceptiongroup
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
    calls = asyncio.Semaphore(limit)

    async def visit(page: str, group: asyncio.TaskGroup) -> None:
        async with calls:
            found = list(await get_links(page))
        for link in found:
            if link not in seen:
                seen.add(link)
                group.create_task(visit(link, group))

    async with asyncio.timeout(timeout):
        async with asyncio.TaskGroup() as group:  # MUTANT: its ExceptionGroup is never unwrapped
            group.create_task(visit(root, group))
    return seen
