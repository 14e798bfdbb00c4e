"""Checks the seen set before the call but adds the page only after ``await get_links(page)``, so two tasks fetch the same page.

expect-fail: test_get_links_is_called_once_per_page
expect-words: twice
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    seen: set[str] = set()
    calls = asyncio.Semaphore(limit)

    async def visit(page: str, group: asyncio.TaskGroup) -> None:
        if page in seen:
            return
        async with calls:
            found = list(await get_links(page))
        seen.add(page)  # MUTANT: check-then-add split across an await
        for link in found:
            if link not in seen:
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
