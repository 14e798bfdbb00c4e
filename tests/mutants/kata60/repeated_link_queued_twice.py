"""Filters a whole result against the seen set and only then adds it, so a page listed twice in one result is queued, and fetched, twice.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: fetched twice, repeated within one result
"""

from __future__ import annotations

import asyncio


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    seen = {root}
    sem = asyncio.Semaphore(limit)

    async def visit(tg, page):
        async with sem:
            links = list(await get_links(page))
        new = [link for link in links if link not in seen]
        seen.update(new)
        for link in new:
            tg.create_task(visit(tg, link))

    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as tg:
                tg.create_task(visit(tg, root))
    except ExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return seen
