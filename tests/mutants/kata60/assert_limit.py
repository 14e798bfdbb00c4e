"""Checks ``limit`` with an assert, which raises AssertionError (or nothing under python -O) instead of ValueError.

expect-fail: test_limit_below_one_is_a_value_error
expect-words: valueerror
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    assert limit >= 1, "limit must be at least 1"  # MUTANT: not a ValueError
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
