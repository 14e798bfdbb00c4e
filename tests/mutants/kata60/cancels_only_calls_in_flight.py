"""On an error cancels only the tasks whose call is in flight, forgetting the tasks still waiting on the semaphore, which go on to call.

expect-fail: test_after_an_error_no_call_starts
expect-words: after
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    loop = asyncio.get_running_loop()
    seen = {root}
    calls = asyncio.Semaphore(limit)
    in_flight: set[asyncio.Task[None]] = set()  # tasks inside get_links
    pending = 0  # tasks started and not finished
    outcome: asyncio.Future[None] = loop.create_future()

    async def visit(page: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        async with calls:
            in_flight.add(task)
            try:
                found = list(await get_links(page))
            finally:
                in_flight.discard(task)
        for link in found:
            if link not in seen:
                seen.add(link)
                start(link)

    def finished(task: asyncio.Task[None]) -> None:
        nonlocal pending
        pending -= 1
        if outcome.done() or task.cancelled():
            return
        if task.exception() is not None:
            outcome.set_exception(task.exception())
        elif pending == 0:
            outcome.set_result(None)

    def start(page: str) -> None:
        nonlocal pending
        pending += 1
        asyncio.create_task(visit(page)).add_done_callback(finished)

    start(root)
    try:
        async with asyncio.timeout(timeout):
            await asyncio.shield(outcome)
    except BaseException:
        stopped = list(in_flight)  # MUTANT: the tasks waiting on the semaphore are not cancelled
        for task in stopped:
            task.cancel()
        await asyncio.gather(*stopped, return_exceptions=True)
        raise
    return seen
