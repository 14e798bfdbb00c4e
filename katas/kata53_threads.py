"""Kata 53 · Threads for blocking I/O (Effective Python, Item 53).

A thread spends most of a network call blocked, and a blocked thread releases the GIL: so while
one thread waits for a page, another can wait for the next.  Threads don't make Python compute
faster, but they let many waits overlap: ten one-second downloads take one second, not ten.

Write ``fetch_all(urls, fetch, timeout=...)``, which calls ``fetch(url)`` for every URL and returns
the results.  ``fetch`` is any blocking function (the grader passes fakes that wait on events).

Task 1 · Every fetch at once, results in order: start one ``threading.Thread`` per URL, all of them
before waiting for any, so every ``fetch`` is in flight at the same time.  Return the results in
the order of ``urls`` (not the order the fetches finished in).  ``fetch_all([])`` is ``[]``; a URL
that appears twice is fetched twice.

Task 2 · Exceptions from threads: an exception raised inside a thread does not reach the caller by
itself.  If any ``fetch`` raised, re-raise the exception of the first failing URL in *input* order,
the original object, once all fetches have finished.

Task 3 · One deadline: ``timeout`` (seconds, > 0) counts from the moment ``fetch_all`` is called,
for the whole call.  If a fetch is still running at the deadline, raise ``TimeoutError`` without
waiting for it, even when another fetch has already raised.  A fetch still running then must not
keep the interpreter alive when the program exits.

Run ``tox -e kata53`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    """Call ``fetch(url)`` for every URL, all at once in threads; the results in the order of ``urls``.

    Raises:
        Exception: the exception of the first failing URL, in input order, once all have finished.
        TimeoutError: a fetch is still running ``timeout`` seconds after the call began.
    """
    # TODO: one thread per URL; keep each result (or exception) at its URL's index.
    raise NotImplementedError
