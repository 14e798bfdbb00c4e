"""Starts the seen set empty and adds only the links found, so root is missing unless some page links back to it.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: reachable
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
    seen: set[str] = set()  # MUTANT: root is never added
    fetched = {root}
    waiting = deque([root])
    running: set[asyncio.Task[list[str]]] = set()

    async def fetch(page: str) -> list[str]:
        return list(await get_links(page))

    try:
        while waiting or running:
            while waiting and len(running) < limit:
                running.add(asyncio.create_task(fetch(waiting.popleft())))
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the crawl took longer than {timeout} s")
            done, _ = await asyncio.wait(running, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                raise TimeoutError(f"the crawl took longer than {timeout} s")
            running -= done
            failures = [task.exception() for task in done if task.exception() is not None]
            if failures:
                raise failures[0]
            for task in done:
                for link in task.result():
                    seen.add(link)
                    if link not in fetched:
                        fetched.add(link)
                        waiting.append(link)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return seen
