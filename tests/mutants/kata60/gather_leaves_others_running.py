"""Crawls the links of each page with ``asyncio.gather``, which raises the first exception but leaves the other calls running.

expect-fail: test_an_error_cancels_the_other_calls_and_is_raised
expect-words: cancel
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

    async def visit(page: str) -> None:
        async with calls:
            found = list(await get_links(page))
        new = []
        for link in found:
            if link not in seen:
                seen.add(link)
                new.append(link)
        # MUTANT: on an error gather re-raises at once and cancels nothing
        await asyncio.gather(*(visit(link) for link in new))

    await asyncio.wait_for(visit(root), timeout)
    return seen
