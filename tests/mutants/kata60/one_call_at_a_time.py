"""Awaits each ``get_links`` call before starting the next, so only one call is ever awaiting.

expect-fail: test_up_to_limit_calls_are_awaiting_at_once
expect-words: at once
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
    seen = {root}
    waiting = deque([root])
    async with asyncio.timeout(timeout):
        while waiting:
            page = waiting.popleft()
            for link in await get_links(page):  # MUTANT: one call at a time, `limit` is never used
                if link not in seen:
                    seen.add(link)
                    waiting.append(link)
    return seen
