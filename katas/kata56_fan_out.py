"""Kata 56 · Recognising fan-out and fan-in (Effective Python, Item 56).

A program needs concurrency when it has many independent pieces of work that spend their time
waiting.  The shape to look for is fan-out (start one piece of work for each item: fetch every
page of a level) followed by fan-in (wait for all of them and merge their results into the next
step).  Write the plain, sequential version first: it fixes what the right answer is, and measuring
it shows whether the time goes to waiting (concurrency will help) or to computing (it will not).
Katas 58 to 60 make this same crawl concurrent.

Task 1 · a breadth-first crawl: ``crawl(root, get_links, max_depth=...)`` returns ``{page: depth}``
for every page reachable from ``root`` within ``max_depth`` links: ``root`` at depth 0, each page at
its *shortest* distance from ``root``.  Go one level at a time: call ``get_links(page)`` for every
page of the level (fan-out), then merge the links into the next level (fan-in).  Call ``get_links``
exactly once for each page whose depth is below ``max_depth`` and never for the pages at
``max_depth`` (they are in the result, but not fetched).  ``get_links`` may return the same link
twice, the page itself, or pages already seen, and the web may have cycles: the crawl still ends.
An exception raised by ``get_links`` propagates unchanged.  ``max_depth=0`` gives ``{root: 0}``
without calling ``get_links`` at all.

Task 2 · how much of the time is waiting: ``wait_fraction(func, *args)`` calls ``func(*args)`` once
and returns the share of its wall-clock time during which the calling thread was not running on a
CPU: ``1 - thread CPU time / wall time``, clamped to ``[0, 1]``.  A function that sleeps or waits
on I/O gives about 1; one that computes gives about 0.  Measure the CPU time of the calling thread
only: other threads busy meanwhile must not count.

Run ``tox -e kata56`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    """Every page within ``max_depth`` links of ``root``, with its shortest depth (``root`` is 0).

    ``get_links(page)`` is called once for each page whose depth is below ``max_depth``, never for
    the others; its exceptions propagate.
    """
    # TODO: keep the depth of every page seen; fetch one level's pages, then build the next level
    #       from the links not seen before.
    raise NotImplementedError


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    """Call ``func(*args)`` once; the share of its wall time the calling thread spent off the CPU.

    ``1 - thread CPU time / wall time``, clamped to ``[0, 1]``.
    """
    # TODO: read a wall clock and this thread's CPU clock (see the time module) before and after
    #       the one call.
    raise NotImplementedError
