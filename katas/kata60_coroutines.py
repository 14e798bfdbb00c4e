"""Kata 60 · The crawl on coroutines (Effective Python, Item 60).

A coroutine is far cheaper than a thread: it is a paused function, not a stack and an OS thread, so
one event loop can keep thousands of network calls waiting at the same time.  The price is
cooperation.  Every coroutine runs on the one thread of the loop, and it only lets the others run
when it reaches an ``await``: a single blocking call (``time.sleep``, a blocking socket) freezes
every other coroutine with it.  And a task is not stopped by its caller losing interest: whoever
starts tasks must cancel them, and wait until they have really finished.

Write ``async def crawl(root, get_links, limit=..., timeout=...)``.  ``get_links(page)`` is a
coroutine function (the grader passes fakes): ``await get_links(page)`` gives an iterable of the
pages ``page`` links to, which may repeat a page, link back to a page already seen, or to the page
itself.  ``crawl`` returns the set of every page reachable from ``root``, ``root`` included.

Task 1 · The crawl on coroutines: run ``get_links`` concurrently in tasks of the caller's event loop
(``asyncio.create_task``, an ``asyncio.TaskGroup``, or worker tasks on an ``asyncio.Queue``), never
in a new event loop or a thread.  ``get_links`` is awaited exactly once per reachable page, even when
two pages find the same link at the same moment: check the seen set and add to it in one step,
with no ``await`` in between.  A crawl of a chain of thousands of pages, each linking only to the
next, must work too: don't ``await`` a crawl of each link from inside the crawl of its page (the
awaits nest one level per link and hit the recursion limit).  Never block the loop: wait with
``await`` (``asyncio.sleep``, never ``time.sleep``).

Task 2 · A bounded number of calls: ``limit < 1`` raises ``ValueError``.  Up to ``limit`` calls of
``get_links`` are awaiting at once whenever that many pages have been found and not yet fetched,
and never more (an ``asyncio.Semaphore(limit)``, or ``limit`` worker tasks).  Awaiting one call at
a time is not concurrency; starting a task per page with no bound is too much of it.  Thousands of
pages with a ``limit`` in the thousands must be fine.

Task 3 · Errors, deadlines and cleanup: if a call raises, cancel every other call in flight and
raise that exception itself, the original object: not the ``ExceptionGroup`` a ``TaskGroup`` wraps
it in.  No call may start after ``crawl`` has raised.  ``timeout`` (seconds) is one deadline for the
whole crawl: past it, cancel everything and raise ``TimeoutError`` (``asyncio.timeout`` or
``asyncio.wait_for``).  When ``crawl`` returns or raises, none of the tasks it started is still
running: cancelling a task only asks it to stop, so await it (or let the ``TaskGroup`` do it).

Run ``tox -e kata60`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable


async def crawl(
    root: str, get_links: Callable[[str], Awaitable[Iterable[str]]], *, limit: int, timeout: float
) -> set[str]:
    """Every page reachable from ``root`` (``root`` included), with up to ``limit`` calls awaiting at once.

    Raises:
        ValueError: ``limit`` is less than 1.
        Exception: the first exception raised by ``get_links``, itself, once every other call is cancelled.
        TimeoutError: the crawl is not done ``timeout`` seconds after it began; every call is cancelled.
    """
    # TODO: a seen set; an asyncio.Semaphore(limit) around each call in a TaskGroup (or `limit` worker
    #       tasks on an asyncio.Queue); asyncio.timeout(timeout); unwrap the ExceptionGroup.
    raise NotImplementedError
