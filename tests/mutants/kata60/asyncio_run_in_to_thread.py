"""Runs the crawl with asyncio.run in asyncio.to_thread under wait_for: get_links runs on a loop of its own, and at the deadline that loop's thread runs on, so the caller's asyncio.run hangs.

expect-fail: test_the_timeout_cancels_everything_and_raises_timeout_error
expect-words: event loop of its own, hung
"""

from __future__ import annotations

import asyncio


async def _crawl(root, get_links, limit):
    seen = {root}
    sem = asyncio.Semaphore(limit)

    async def visit(tg, page):
        async with sem:
            links = await get_links(page)
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


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    # a fresh loop of our own, off the caller's thread so we don't block it
    return await asyncio.wait_for(asyncio.to_thread(asyncio.run, _crawl(root, get_links, limit)), timeout)
