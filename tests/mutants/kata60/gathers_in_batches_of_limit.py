"""Crawls in batches: gathers up to `limit` pages at a time and starts the next batch only when the slowest call of this one has returned, so calls stop while pages wait.

expect-fail: test_up_to_limit_calls_are_awaiting_at_once
expect-words: batch, at once
"""

from __future__ import annotations

import asyncio


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    seen = {root}
    frontier = [root]

    async def run():
        nonlocal frontier
        while frontier:
            batch, frontier = frontier[:limit], frontier[limit:]
            tasks = [asyncio.create_task(get_links(p)) for p in batch]
            try:
                results = await asyncio.gather(*tasks)
            except BaseException:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
            for links in results:
                for link in links:
                    if link not in seen:
                        seen.add(link)
                        frontier.append(link)
        return seen

    async with asyncio.timeout(timeout):
        return await run()
