"""Its `limit` workers quit as soon as the queue is empty for a moment, so while the first one fetches root the others end, and one worker does the whole crawl.

expect-fail: test_up_to_limit_calls_are_awaiting_at_once
expect-words: at once, tasks, workers
"""

from __future__ import annotations

import asyncio


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    seen = {root}
    todo: asyncio.Queue[str] = asyncio.Queue()
    todo.put_nowait(root)

    async def worker():
        while not todo.empty():
            page = todo.get_nowait()
            for link in await get_links(page):
                if link not in seen:
                    seen.add(link)
                    todo.put_nowait(link)

    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as tg:
                for _ in range(limit):
                    tg.create_task(worker())
    except ExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return seen
