"""Stops quietly when ``asyncio.wait(..., timeout=...)`` comes back empty and returns the pages found so far instead of raising TimeoutError.

expect-fail: test_the_timeout_cancels_everything_and_raises_timeout_error
expect-words: timeouterror
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = {root}
    waiting = deque([root])
    running: set[asyncio.Task[list[str]]] = set()

    async def fetch(page: str) -> list[str]:
        return list(await get_links(page))

    try:
        while waiting or running:
            while waiting and len(running) < limit:
                running.add(asyncio.create_task(fetch(waiting.popleft())))
            remaining = max(0.0, deadline - loop.time())
            done, _ = await asyncio.wait(running, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                break  # MUTANT: out of time, return what was found instead of raising TimeoutError
            running -= done
            failures = [task.exception() for task in done if task.exception() is not None]
            if failures:
                raise failures[0]
            for task in done:
                for link in task.result():
                    if link not in seen:
                        seen.add(link)
                        waiting.append(link)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return seen
