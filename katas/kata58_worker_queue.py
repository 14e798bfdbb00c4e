"""Kata 58 · The crawl on a worker queue (Effective Python, Item 58).

Moving a sequential loop onto a queue of worker threads is not a drop-in change.  The loop used to
decide what runs next, when the work is finished and what happens to an exception; with workers,
each of those has to be rebuilt by hand.  An empty queue does not mean the work is done (a busy
worker may be about to add more), a worker blocked in ``get()`` never leaves unless it is told to,
and an exception raised in a worker reaches nobody unless you carry it back to the caller.

Write ``crawl(root, get_links, workers=...)``.  ``get_links(page)`` is any blocking function (the
grader passes fakes) that returns an iterable of the pages ``page`` links to: it may repeat a page,
link back to a page already seen, or to the page itself.  ``crawl`` returns the set of every page
reachable from ``root``, ``root`` included.

Task 1 · Workers on a queue: ``workers < 1`` raises ``ValueError``.  Start ``workers`` threads that
take pages from a ``queue.Queue``, call ``get_links(page)`` and put every page not seen before back
on the queue.  ``get_links`` is called exactly once per reachable page, even when two workers find
the same link at the same instant: checking the seen set and adding to it must be one step, under a
``threading.Lock``.  Up to ``workers`` calls run at the same time whenever that many pages are
waiting, and never more threads or calls than ``workers``.  An idle worker blocks in ``get()``: no
polling with ``get_nowait()``, ``empty()`` or short sleeps.

Task 2 · Knowing when the crawl is done: the queue can look empty while a worker is still inside
``get_links`` and about to find new pages.  Return only when every reachable page has been crawled:
count the pages that are queued or being crawled, or let ``Queue.task_done()`` and ``Queue.join()``
count them for you.  Then tell the workers to stop (one sentinel per worker, say), so that every
thread ``crawl`` started has exited when it returns.

Task 3 · Stopping on an error: if ``get_links`` raises, or the iterable it returned raises while you
iterate it, the crawl stops: each worker finishes the call it is in, starts no new call and exits;
then ``crawl`` re-raises the first exception seen (the original object).  It must not hang: a page
whose crawl failed still counts as finished, and idle workers still need their sentinel.

Run ``tox -e kata58`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    """Every page reachable from ``root`` (``root`` included), crawled by ``workers`` threads on a queue.

    Raises:
        ValueError: ``workers`` is less than 1.
        Exception: the first exception raised by ``get_links`` (or while iterating its result),
            once every worker has exited.
    """
    # TODO: a queue.Queue of pages, a seen set under a Lock, `workers` threads that take pages and put
    #       new ones; count unfinished pages (or task_done/join); then one sentinel per worker.
    raise NotImplementedError
