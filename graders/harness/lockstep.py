"""Forced interleavings for threads the learner's own code starts (frontrun schedules only its own).

Inside ``with Lockstep(submission):`` every thread started (the learner's call, and the threads it
starts) runs the learner's file one bytecode at a time and hands the turn to another waiting thread
at every instruction, round robin.  Threads that reach a read-modify-write together (a grader's
rendezvous lines them up) therefore interleave inside it on every run, so an unguarded ``count -= 1``
loses an update every time, not once in a thousand.  A thread that holds the turn but makes no
progress for ``stall`` seconds while not runnable (blocked in a lock or a queue; a thread merely waiting
for a CPU on a loaded machine keeps it) loses it, so liveness rests on a timeout while correctness does not.

Version quirks handled here: on 3.12 per-opcode events start only after some frame has asked for
them once (and asking again crashed 3.12.1), and on 3.13 ``f_trace`` must be set before
``f_trace_opcodes``.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from types import FrameType
from typing import Any

from .settle import scheduler_state
from .submission import Submission


@functools.cache
def _arm_opcode_events() -> None:
    """Turn per-opcode trace events on once (3.11 delivers none until some frame has asked for them)."""
    frame = sys._getframe()
    frame.f_trace = lambda *_: None
    frame.f_trace_opcodes = True
    frame.f_trace_opcodes = False
    frame.f_trace = None


class Lockstep:
    """A scheduler that makes the learner's threads take turns at every bytecode of the learner's file."""

    def __init__(self, submission: Submission, stall: float = 0.02, patience: float = 1.0) -> None:
        self.submission = submission
        self.stall = stall
        """Seconds without progress after which a waiting thread takes the turn from the holder."""
        self.patience = patience
        """Seconds after which a waiting thread runs anyway: the scheduler never makes a hang itself."""
        self.steps = 0
        """Instructions run under the scheduler: a claim that needed switches and saw none is a grader bug."""
        self.handovers = 0
        """How often the turn passed from one thread to another."""
        self._cond = threading.Condition(threading.Lock())
        self._holder: int | None = None
        self._waiting: list[int] = []
        self._progress = time.monotonic()
        self._closed = False
        self._gather = 0
        self._gather_until = 0.0
        self._gatherers: set[int] = set()
        self._native: dict[int, int] = {}

    def _step(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._closed:
                return
            self.steps += 1
            self._native[me] = threading.get_native_id()
            if self._gather and me not in self._gatherers:
                return  # while some threads line up, the others run unscheduled
            if not self._gather and self._holder in (None, me):
                if not self._waiting:
                    self._holder, self._progress = me, time.monotonic()
                    return
                self._holder = self._waiting.pop(0)
                self.handovers += 1
                self._cond.notify_all()
            self._waiting.append(me)
            if self._gather and sum(1 for t in self._waiting if t in self._gatherers) >= self._gather:
                self._gather, self._holder = 0, self._waiting.pop(0)  # all lined up: first come, first served
                self._progress = time.monotonic()
                self._cond.notify_all()
            give_up = self._gather_until if self._gather else time.monotonic() + self.patience
            while self._holder != me and not self._closed and not (self._gather and me not in self._gatherers):
                self._cond.wait(self.stall)
                now = time.monotonic()
                stalled = not self._gather and now - self._progress > self.stall
                if self._holder == me:
                    break
                if stalled and now <= give_up and self._runnable(self._holder):
                    self._progress = now  # the holder only waits for a CPU: it steps again when it gets one
                elif stalled or now > give_up:
                    self._holder, self._gather = me, 0  # the holder is blocked, or long outside the learner's code
            if me in self._waiting:
                self._waiting.remove(me)
            self._progress = time.monotonic()

    def _runnable(self, ident: int | None) -> bool:
        """Whether the thread is running or ready to run (not blocked in a lock, a queue or a sleep)."""
        return scheduler_state(self._native.get(ident or -1)) == "R"  # None: ended, or no /proc (the stall timeout)

    def line_up(self, parties: int, patience: float | None = None) -> None:
        """Hold the threads that call this at their next step in the learner's file until ``parties`` of them
        wait there; then they take turns from the same point, so none runs ahead before the others arrive.
        Other threads run unscheduled meanwhile.  After ``patience`` seconds (default: the scheduler's)
        whoever waits goes on without the others."""
        with self._cond:
            if not self._gather:
                self._gatherers = set()
            self._gatherers.add(threading.get_ident())
            self._gather, self._holder = parties, None
            self._gather_until = time.monotonic() + (self.patience if patience is None else patience)
            self._cond.notify_all()

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            self._step()
        return self._local

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if self.submission.owns(frame.f_code.co_filename):
            frame.f_trace = self._local  # 3.13: before f_trace_opcodes
            frame.f_trace_opcodes = True
            return self._local
        return None

    def __enter__(self) -> Lockstep:
        _arm_opcode_events()
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc_info: object) -> None:
        threading.settrace(None)  # type: ignore[arg-type]
        with self._cond:
            self._closed = True  # threads still running the learner's code go on unscheduled
            self._cond.notify_all()
