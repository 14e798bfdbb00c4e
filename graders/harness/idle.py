"""Busy waiting, proven by counting: how often idle threads wake up in the learner's file.

A thread blocked in ``queue.get()`` or ``Condition.wait()`` runs no line of the learner's code until
something happens; a thread that polls (``get_nowait()`` or ``empty()`` in a loop, with or without a
short sleep) runs some every few milliseconds.  Inside ``with WakeCounter(submission) as counter:``
every thread started afterwards (the learner's call and the threads it starts) reports each line it
runs in the learner's file; :meth:`WakeCounter.quiet_window` then counts, over a window in which the
grader gives the code nothing to do, each thread's *wake-ups* (a line run after more than
:data:`GAP` seconds without one) and lines, and its CPU time (from ``/proc``) as
evidence.  The verdict rests on counts, not on a stopwatch: a loaded machine delays wake-ups, it
does not add them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from .messages import failure
from .settle import cpu_nanoseconds
from .submission import Submission

GAP = 0.0005
"""Seconds without a line after which the next line counts as a wake-up (a running loop has none)."""
WAKE_RATE_LIMIT = 25.0
"""Wake-ups per second that an idle thread may have: a ``get(timeout=0.05)`` loop (20 per second)
passes; polling with ``sleep(0.02)`` or less fails."""
LINE_RATE_LIMIT = 2000.0
"""Lines per second of an idle thread above which it is spinning, whatever its wake-ups."""


@dataclass
class ThreadActivity:
    """What one thread did in the learner's file during a quiet window."""

    name: str
    wakeups: int = 0
    lines: int = 0
    cpu: float = 0.0
    where: Counter[int] = field(default_factory=Counter)
    """Line number → how often that line ran in the window."""

    def busy(self, seconds: float) -> bool:
        return self.wakeups > WAKE_RATE_LIMIT * seconds or self.lines > LINE_RATE_LIMIT * seconds

    def describe(self, submission: Submission, seconds: float) -> str:
        wakeups = f"{self.wakeups} wake-up{'s' if self.wakeups != 1 else ''}"
        text = (
            f"thread {self.name!r} ran {self.lines} lines of your code in {seconds:.2f} s of nothing to do "
            f"({wakeups}, {self.cpu:.2f} s of CPU)"
        )
        if self.where:
            line, _ = self.where.most_common(1)[0]
            text += f", most often {submission.path.name}:{line} `{submission.source_line(line)}`"
        return text


class _Thread:
    def __init__(self, name: str, ident: int, native_id: int | None) -> None:
        self.name = name
        self.ident = ident
        self.native_id = native_id
        self.last = 0.0
        self.activity = ThreadActivity(name)


class WakeCounter:
    """Counts each traced thread's wake-ups and lines in the learner's file."""

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self._threads: dict[int, _Thread] = {}
        self._lock = threading.Lock()
        self._counting = False

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line" and self._counting:
            now = time.perf_counter()
            ident = threading.get_ident()
            state = self._threads.get(ident)
            if state is None:
                with self._lock:
                    state = self._threads.setdefault(
                        ident, _Thread(threading.current_thread().name, ident, threading.get_native_id())
                    )
            activity = state.activity
            if now - state.last > GAP:
                activity.wakeups += 1
            state.last = now
            activity.lines += 1
            activity.where[frame.f_lineno] += 1
        return self._local

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if self.submission.owns(frame.f_code.co_filename):
            return self._local
        return None

    def __enter__(self) -> WakeCounter:
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc_info: object) -> None:
        threading.settrace(None)  # type: ignore[arg-type]
        self._counting = False

    def quiet_window(self, seconds: float) -> list[ThreadActivity]:
        """Count for ``seconds`` while the grader gives the code nothing to do; each active thread's record."""
        cpu_before = {t.ident: _cpu(t.native_id) for t in threading.enumerate() if t.ident is not None}
        with self._lock:
            self._threads.clear()
        for thread in threading.enumerate():
            if thread.ident is not None:
                self._threads[thread.ident] = _Thread(thread.name, thread.ident, thread.native_id)
        self._counting = True
        time.sleep(seconds)
        self._counting = False
        with self._lock:
            states = list(self._threads.values())
        for state in states:
            before, after = cpu_before.get(state.ident), _cpu(state.native_id)
            if before is not None and after is not None:
                state.activity.cpu = after - before
        return [s.activity for s in states if s.activity.lines]


def busy_threads(activities: list[ThreadActivity], seconds: float) -> list[ThreadActivity]:
    """The threads that polled or spun during a quiet window of ``seconds``."""
    return [a for a in activities if a.busy(seconds)]


def _cpu(native_id: int | None) -> float | None:
    """The thread's CPU time in seconds (``schedstat``, via :func:`settle.cpu_nanoseconds`), or None once it has
    ended.  Not ``pthread_getcpuclockid``: given a thread that has just ended, it reads freed memory (a crash on
    3.11)."""
    nanoseconds = cpu_nanoseconds(native_id)
    return None if nanoseconds is None else nanoseconds / 1e9


def expect_idle(
    submission: Submission, activities: list[ThreadActivity], seconds: float, *, situation: str, called: str, idea: str
) -> None:
    """Fail the claim if any thread polled or spun during a quiet window of ``seconds``.

    Args:
        activities: what :meth:`WakeCounter.quiet_window` counted.
        situation: what the code was waiting for, e.g. "the pool had no job left".
    """
    busy = busy_threads(activities, seconds)
    if busy:
        raise failure(
            f"While {situation}, your threads kept waking up: polling instead of blocking (busy waiting). "
            "An idle thread should sleep inside a blocking get() or wait() until there is work.",
            called=called,
            contract="a thread with nothing to do blocks; no busy waiting",
            evidence=[a.describe(submission, seconds) for a in busy]
            + [f"(an idle thread may wake at most {WAKE_RATE_LIMIT:g} times a second)"],
            idea=idea,
        )
