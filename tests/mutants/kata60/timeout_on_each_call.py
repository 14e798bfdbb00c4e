"""Wraps each get_links call in asyncio.wait_for(..., timeout) and sets no deadline for the crawl as a whole, so a crawl of many quick calls runs on long past timeout.

expect-fail: test_the_timeout_cancels_everything_and_raises_timeout_error
expect-words: one deadline for the whole crawl
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
            links = await asyncio.wait_for(get_links(page), timeout)
        for link in links:
            if link not in seen:
                seen.add(link)
                tg.create_task(visit(tg, link))

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(visit(tg, root))
    except ExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return seen
