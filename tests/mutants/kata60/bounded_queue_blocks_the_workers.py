"""Uses asyncio.Queue(maxsize=limit): a worker that finds more links than there is room for waits in put() for a get() that only the workers make, until the deadline.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: waiting on itself, queue.put, unbounded
"""

from __future__ import annotations

import asyncio


async def crawl(root, get_links, *, limit, timeout):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    seen = {root}
    todo: asyncio.Queue[str] = asyncio.Queue(maxsize=limit)  # back-pressure
    await todo.put(root)

    async def worker():
        while True:
            page = await todo.get()
            try:
                for link in await get_links(page):
                    if link not in seen:
                        seen.add(link)
                        await todo.put(link)
            finally:
                todo.task_done()

    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as tg:
                workers = [tg.create_task(worker()) for _ in range(limit)]
                await todo.join()
                for w in workers:
                    w.cancel()
    except ExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return seen
