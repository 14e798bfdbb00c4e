"""On an error or the deadline, cancels the running tasks and then only does `await asyncio.sleep(0)` instead of awaiting them, so a call whose clean-up takes a few loop turns is still running when crawl raises.

expect-fail: test_an_error_cancels_the_other_calls_and_is_raised
expect-words: still running, cancelling a task only asks it to stop
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
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"crawl took longer than {timeout} s")
            done, running = await asyncio.wait(running, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if not done:
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
        await asyncio.sleep(0)  # let the cancellations go through
