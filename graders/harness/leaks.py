"""Threads that a call into learner code left running."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from .deadline import Outcome
from .messages import failure


def threads_left(threads: Iterable[threading.Thread], grace: float = 0.5) -> list[threading.Thread]:
    """Those of ``threads`` still alive after ``grace`` seconds (a thread that is merely exiting dies
    within it; a thread blocked on a queue or a lock does not)."""
    end = time.monotonic() + grace
    left = []
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
        if thread.is_alive():
            left.append(thread)
    return left


def describe(thread: threading.Thread) -> str:
    kind = "daemon" if thread.daemon else "non-daemon"
    return f"{kind} thread {thread.name!r}"


def expect_finished(outcome: Outcome, when: str, *, function: str, idea: str) -> None:
    """Fail the claim if threads that ``function``'s call started still run 0.5 s after it ``when``
    ("returned", "raised")."""
    left = threads_left(outcome.threads)
    if left:
        raise failure(
            f"{len(left)} thread(s) that {function} started were still running 0.5 s after it {when}: "
            "every thread it started must have finished by then.",
            called=outcome.called,
            contract=f"when {function} returns or raises, every thread it started has finished",
            evidence=[describe(t) for t in left],
            idea=idea,
        )
