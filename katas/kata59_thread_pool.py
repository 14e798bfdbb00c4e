"""Kata 59 · The crawl on a ThreadPoolExecutor (Effective Python, Item 59).

Kata 58 built a worker pool by hand: the queue, the sentinels, the count of pages still in flight, the
exception carried back to the caller.  ``concurrent.futures.ThreadPoolExecutor`` is that pool, done
once and well: ``executor.submit(fn, arg)`` queues a call for a fixed number of worker threads and
returns a ``Future`` that later holds the call's result or its exception, and ``wait()`` or
``as_completed()`` tell the calling thread which futures are done.  Threads still cost memory and
start-up time, so the executor keeps their number bounded; what it cannot decide for you is the work
itself: what to submit next, when the crawl is over, and when to give up.

Write ``crawl(root, get_links, max_workers=..., timeout=...)``.  ``get_links(page)`` is any blocking
function (the grader passes fakes) that returns an iterable of the pages ``page`` links to: it may
repeat a page, link back to a page already seen, or to the page itself.  ``crawl`` returns the set of
every page reachable from ``root``, ``root`` included.

Task 1 · The crawl on an executor: create one ``ThreadPoolExecutor(max_workers)`` and submit one call
per page; let the worker turn what ``get_links`` returned into a list, so the iterating happens in the
call too.  The calling thread keeps the seen set: as each future finishes, submit every one of its
links not seen before.  The futures to wait on grow as the crawl goes, so a list of futures built once
up front misses the pages found later; re-enter ``as_completed()`` or ``wait(...,
return_when=FIRST_COMPLETED)`` with the pending set until it is empty.  ``get_links`` is called
exactly once per reachable page.  Up to ``max_workers`` calls are in flight at once whenever that many
pages wait (so never ``submit(...).result()`` one page at a time), and never more (the executor's
size is ``max_workers``, not its default).  When ``crawl`` returns, shut the executor down: nothing is
in flight then, so every worker thread exits at once.

Task 2 · Failing fast: when a finished future holds an exception (``future.result()`` re-raises it),
the crawl is over.  Submit nothing more, cancel every future still queued (``executor.shutdown(
wait=False, cancel_futures=True)`` does it), and raise that exception, the original object, right
away: calls already running are not waited for, and no queued call starts after ``crawl`` has raised.
Beware of ``with ThreadPoolExecutor(...)``: leaving the block calls ``shutdown(wait=True)``, which
waits for every call in flight, so an error raised inside it reaches the caller only after a hung
call ends.

Task 3 · One deadline: ``timeout`` (seconds) counts from the moment ``crawl`` is called, for the
whole crawl.  Fix ``deadline = time.monotonic() + timeout`` once and give each wait only the time
that is left: a wait that gets the whole ``timeout`` every round lets a long crawl run far past it.
Past the deadline raise ``TimeoutError`` promptly, stopping the executor the same way as on an error,
so a hung call does not delay it.

Run ``tox -e kata59`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    """Every page reachable from ``root`` (``root`` included), crawled on a ``ThreadPoolExecutor``.

    Raises:
        Exception: the first exception ``crawl`` sees from ``get_links`` (or from iterating its result),
            at once, without waiting for calls still in flight.
        TimeoutError: the crawl is not done ``timeout`` seconds after it began.
    """
    # TODO: ThreadPoolExecutor(max_workers) without a `with` block; a set of pending futures and the
    #       seen set in this thread; wait(pending, timeout=deadline - now, return_when=FIRST_COMPLETED);
    #       on an error or the deadline: shutdown(wait=False, cancel_futures=True), then raise.
    raise NotImplementedError
