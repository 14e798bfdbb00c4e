"""Gathers the list of tasks as it is when ``gather`` is called (only root's), so crawl returns before the pages found later are crawled.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: reachable
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
    crawled: set[str] = set()
    calls = asyncio.Semaphore(limit)
    tasks: list[asyncio.Task[None]] = []

    async def visit(page: str) -> None:
        async with calls:
            found = list(await get_links(page))
        crawled.add(page)
        for link in found:
            if link not in seen:
                seen.add(link)
                tasks.append(asyncio.create_task(visit(link)))

    tasks.append(asyncio.create_task(visit(root)))
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*tasks)  # MUTANT: the tasks appended later are never waited for
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in tasks:  # tidy up whatever is left
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return crawled
