"""Holds its semaphore slot while it awaits the tasks of the pages it found, which need a slot too: with limit=1 the crawl waits on itself until the deadline.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: waiting on itself, semaphore
"""

from __future__ import annotations

import asyncio


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    seen = {root}
    sem = asyncio.Semaphore(limit)

    async def visit(page):
        async with sem:
            links = await get_links(page)
            children = []
            for link in links:
                if link not in seen:
                    seen.add(link)
                    children.append(asyncio.create_task(visit(link)))
            try:
                await asyncio.gather(*children)
            except BaseException:
                for c in children:
                    c.cancel()
                await asyncio.gather(*children, return_exceptions=True)
                raise

    task = asyncio.create_task(visit(root))
    try:
        async with asyncio.timeout(timeout):
            await task
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return seen
