"""Checks the deadline only when a call finishes, so a call that never returns keeps the crawl waiting past timeout for ever.

expect-fail: test_the_timeout_cancels_everything_and_raises_timeout_error
expect-words: neither raised timeouterror nor returned, deadline must fire while a call is pending
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError("limit must be >= 1")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = {root}
    frontier: deque[str] = deque([root])
    running: set[asyncio.Task[Iterable[str]]] = set()
    try:
        while frontier or running:
            while frontier and len(running) < limit:
                running.add(asyncio.ensure_future(get_links(frontier.popleft())))
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            if loop.time() > deadline:
                raise TimeoutError(f"crawl took longer than {timeout} s")
            for task in done:
                if task.exception() is not None:
                    raise task.exception()
            for task in done:
                for link in task.result():
                    if link not in seen:
                        seen.add(link)
                        frontier.append(link)
        return seen
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)
