"""Kata 60 reference — style: `limit` worker tasks on an asyncio.Queue, task_done()/join() to know when it is done."""

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
    failed: asyncio.Future[None] = loop.create_future()  # gets the first exception of a call

    async def work() -> None:
        while True:
            page = await pages.get()
            try:
                for link in await get_links(page):
                    if link not in seen:
                        seen.add(link)
                        pages.put_nowait(link)  # before this page's task_done: join() cannot return early
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
            failed.result()  # raises the call's exception itself

    pages.put_nowait(root)
    workers = [asyncio.create_task(work()) for _ in range(limit)]
    try:
        await asyncio.wait_for(first_outcome(), timeout)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)  # cancelled is not finished: wait for them
        if not failed.done():
            failed.cancel()
    return seen
