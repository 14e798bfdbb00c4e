"""Kata 60 reference — style: a task per page in an asyncio.TaskGroup, an asyncio.Semaphore bounding the calls."""

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
            links = await get_links(page)
            found = list(links)
        for link in found:
            if link not in seen:  # check and add with no await in between: one step on the loop
                seen.add(link)
                group.create_task(visit(link, group))

    error: Exception | None = None
    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as group:  # on exit every task is done; on an error all are cancelled
                group.create_task(visit(root, group))
    except* Exception as group_error:
        # The TaskGroup wraps what its tasks raised; the first one is the call that failed first.
        error = group_error.exceptions[0]
    if error is not None:
        raise error
    return seen
