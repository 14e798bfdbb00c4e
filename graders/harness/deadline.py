"""Run learner code under a deadline; when it hangs, say where each of its threads is stuck.

:func:`run` calls the learner in a thread of its own (not a daemon, so threads the learner starts
default to non-daemon, as they would from the main thread) and waits at most ``deadline`` seconds.
At the deadline the claim fails with the stack of every thread the call started, cut to frames in
the learner's file ("stuck at kata55_queue.py:41 `q.put(item)`").  The stuck threads stay behind;
the conftest ends the grading process with ``os._exit`` if they would keep it alive.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from .messages import ClaimFailed, failure, short_repr
from .submission import Submission

_stuck: list[tuple[str, list[threading.Thread]]] = []
"""Calls that hung, with the threads they left: the rest of the kata is not graded while they run."""


def still_stuck() -> str | None:
    """The first earlier call whose threads are still stuck in the learner's code, if any."""
    for called, threads in _stuck:
        if any(t.is_alive() for t in threads):
            return called
    return None


@dataclass
class Outcome:
    """What one call into learner code did."""

    called: str
    value: Any = None
    error: BaseException | None = None
    elapsed: float = 0.0
    threads: list[threading.Thread] = field(default_factory=list)
    """Threads that the call started and that were still alive when it returned."""
    snapshot: list[str] = field(default_factory=list)
    """Where the call's threads were at ``snapshot_at`` seconds, if it was still running then."""

    @property
    def raised(self) -> bool:
        return self.error is not None


def run(
    submission: Submission,
    fn: Callable[..., Any],
    /,
    *args: Any,
    called: str,
    deadline: float,
    on_hang: str | None = None,
    snapshot_at: float | None = None,
    **kwargs: Any,
) -> Outcome:
    """Call ``fn(*args, **kwargs)``; return its :class:`Outcome`, or fail the claim if it hangs.

    Args:
        called: the call as the learner would write it, for messages.
        deadline: seconds to wait before calling it a hang.
        on_hang: the first line of the hang message (default: "<called> did not return within N s.").
        snapshot_at: also record where the call's threads were this many seconds in, if still running.
    """
    before = set(threading.enumerate())
    outcome = Outcome(called=called)
    done = threading.Event()

    def target() -> None:
        start = time.perf_counter()
        try:
            outcome.value = fn(*args, **kwargs)
        except BaseException as exc:
            outcome.error = exc
        finally:
            outcome.elapsed = time.perf_counter() - start
            done.set()

    runner = threading.Thread(target=target, name="learner-call", daemon=False)
    runner.start()
    if snapshot_at is not None and not done.wait(snapshot_at):
        outcome.snapshot = stacks(submission, _started_since(before, runner))
    if not done.wait(max(0.0, deadline - (snapshot_at or 0.0))):
        _stuck.append((called, _started_since(before, runner)))
        raise failure(
            on_hang or f"{called} did not return within {deadline:g} s.",
            called=called if on_hang else None,
            evidence=stacks(submission, _started_since(before, runner)),
        )
    runner.join()
    outcome.threads = [t for t in _started_since(before, runner) if t is not runner]
    name = submission.not_implemented_name(outcome.error) if outcome.error else None
    if name:
        raise failure(f"not implemented yet: {name}", evidence=[f"{called} raised NotImplementedError."])
    return outcome


def result(submission: Submission, outcome: Outcome) -> Any:
    """The call's value; an exception the claim did not expect fails it, naming the learner's line."""
    if isinstance(outcome.error, ClaimFailed):
        raise outcome.error
    if outcome.error is not None:
        raise unexpected(submission, outcome)
    return outcome.value


def unexpected(submission: Submission, outcome: Outcome) -> ClaimFailed:
    error = outcome.error
    assert error is not None
    where = submission.line_of(error.__traceback__)
    return failure(
        f"{outcome.called} raised {type(error).__name__}: {short_repr(str(error), 120)}"
        f"{f' at {where}' if where else ''}, which the contract does not expect here."
    )


def _started_since(before: set[threading.Thread], runner: threading.Thread) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if (t not in before and t.is_alive()) or t is runner]


def stacks(submission: Submission, threads: Iterable[threading.Thread]) -> list[str]:
    """One line per live thread: where it is stuck, in the learner's terms."""
    frames = sys._current_frames()
    lines = []
    for thread in threads:
        frame = frames.get(thread.ident or -1)
        if frame is None:
            continue
        who = "your call" if thread.name == "learner-call" else f"thread {thread.name!r}"
        lines.append(f"{who}: {where_stuck(submission, frame)}")
    return lines or ["(no thread of the call was still running)"]


def where_stuck(submission: Submission, frame: FrameType) -> str:
    """``stuck at kata53_threads.py:31 `t.join()` (waiting in threading.join)``."""
    summary = traceback.extract_stack(frame)
    mine = [f for f in summary if submission.owns(f.filename)]
    innermost = summary[-1]
    waiting = f"{_module_of(innermost.filename)}.{innermost.name}"
    if not mine:
        return f"not in your code (in {waiting})"
    last = mine[-1]
    text = f"stuck at {submission.path.name}:{last.lineno} `{(last.line or '').strip()}`"
    return text if last is innermost else f"{text} (waiting in {waiting})"


def _module_of(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    return name.removesuffix(".py")
