"""Cancels the worker tasks at the end but does not await them, so they are still pending when crawl returns or raises.

expect-fail: test_no_task_is_left_running
expect-words: still running
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
    pages: asyncio.Queue[str] = asyncio.Queue()
    seen = {root}
    failed: asyncio.Future[None] = loop.create_future()

    async def work() -> None:
        while True:
            page = await pages.get()
            try:
                for link in await get_links(page):
                    if link not in seen:
                        seen.add(link)
                        pages.put_nowait(link)
            except Exception as exc:
                if not failed.done():
                    failed.set_exception(exc)
                return
            finally:
                pages.task_done()

    async def first_outcome() -> None:
        finished = asyncio.create_task(pages.join())
        try:
            await asyncio.wait({finished, failed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            finished.cancel()
            await asyncio.gather(finished, return_exceptions=True)
        if failed.done():
            failed.result()

    pages.put_nowait(root)
    workers = [asyncio.create_task(work()) for _ in range(limit)]
    try:
        await asyncio.wait_for(first_outcome(), timeout)
    finally:
        for worker in workers:
            worker.cancel()  # MUTANT: cancel() only asks; the workers are never awaited
        if not failed.done():
            failed.cancel()
    return seen
