"""Saves a task by awaiting the crawl of the last link in place, so on a chain the awaits nest one level per page until RecursionError.

expect-fail: test_thousands_of_pages_with_a_large_limit
expect-words: chain
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
        new = []
        for link in found:
            if link not in seen:
                seen.add(link)
                new.append(link)
        if not new:
            return
        *others, last = new
        for link in others:
            group.create_task(visit(link, group))
        await visit(last, group)  # MUTANT: recursion in the same task, one nested await per link depth

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
