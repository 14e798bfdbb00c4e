"""Runs the crawl with ``asyncio.run`` in a thread (to dodge "cannot be called from a running event loop"), so every call runs on a new loop.

expect-fail: test_crawl_runs_on_the_callers_loop
expect-words: loop
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


async def _crawl(root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], limit: int, timeout: float) -> set[str]:
    seen = {root}
    calls = asyncio.Semaphore(limit)

    async def visit(page: str, group: asyncio.TaskGroup) -> None:
        async with calls:
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


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    # MUTANT: a new event loop in another thread, not the caller's loop
    return await asyncio.to_thread(asyncio.run, _crawl(root, get_links, limit, timeout))
