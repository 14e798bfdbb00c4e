"""Kata 60 reference — style: a loop over asyncio.wait(FIRST_COMPLETED) that keeps up to `limit` tasks running."""

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
    waiting = deque([root])  # found, not fetched yet
    running: dict[asyncio.Task[list[str]], str] = {}

    async def fetch(page: str) -> list[str]:
        return list(await get_links(page))

    try:
        while waiting or running:
            while waiting and len(running) < limit:
                page = waiting.popleft()
                running[asyncio.create_task(fetch(page))] = page
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the crawl took longer than {timeout} s")
            done, _ = await asyncio.wait(running, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                raise TimeoutError(f"the crawl took longer than {timeout} s")
            for task in done:
                del running[task]
            failures = [task.exception() for task in done if task.exception() is not None]
            if failures:
                raise failures[0]  # the call's exception itself; the finally cancels the others
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
