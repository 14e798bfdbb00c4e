"""Catches ConnectionError from get_links and treats the page as one with no links, so a network error never propagates.

expect-fail: test_after_an_error_no_call_starts
expect-words: propagate, connectionerror, swallows
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if not limit >= 1:
        raise ValueError("need at least one worker")
    loop = asyncio.get_running_loop()
    seen = {root}
    pending = deque([root])
    busy = 0
    cond = asyncio.Condition()

    def work_or_done() -> bool:
        return bool(pending) or busy == 0

    async def worker() -> None:
        nonlocal busy
        while True:
            async with cond:
                await cond.wait_for(work_or_done)
                if not pending:  # nothing waiting and nobody busy: the crawl is over
                    return
                page = pending.popleft()
                busy += 1
            try:
                links = await get_links(page)
            except ConnectionError:  # a page that is down has no links to follow
                links = ()
            fresh = []
            for link in links:
                if link not in seen:
                    seen.add(link)
                    fresh.append(link)
            async with cond:
                busy -= 1
                pending.extend(fresh)
                cond.notify_all()

    try:
        async with asyncio.timeout_at(loop.time() + timeout):
            async with asyncio.TaskGroup() as group:
                for _ in range(limit):
                    group.create_task(worker())
    except ExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return seen
