"""Prove concurrency by structure: recording fakes, rendezvous, and timelines of calls.

A :class:`CallLog` records every call of a fake (when it started and ended, in which thread, how
many calls were in flight).  A :class:`Rendezvous` opens only when ``parties`` calls wait in it at
the same time, so "they ran at the same time" is proven without a stopwatch; once any waiter gives
up, it stays broken and later calls pass straight through (a sequential submission costs one
timeout, not one per call).  :func:`timeline` draws the calls for a message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Call:
    label: str
    start: float
    end: float | None = None
    thread: str = ""
    outcome: str = ""
    """What the fake did: "returned", "raised ValueError", ..."""


@dataclass
class CallLog:
    """A thread-safe record of the calls a fake received."""

    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    origin: float = field(default_factory=time.perf_counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def record(self, label: str) -> Iterator[Call]:
        """Record one call of the fake around the ``with`` body."""
        call = Call(label, time.perf_counter() - self.origin, thread=threading.current_thread().name)
        with self._lock:
            self.calls.append(call)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield call
            call.outcome = call.outcome or "returned"
        except BaseException as exc:
            call.outcome = f"raised {type(exc).__name__}"
            raise
        finally:
            with self._lock:
                self.in_flight -= 1
                call.end = time.perf_counter() - self.origin

    def now(self) -> float:
        return time.perf_counter() - self.origin

    def running(self) -> list[Call]:
        """Calls that have started and not ended."""
        with self._lock:
            return [c for c in self.calls if c.end is None]

    def labels(self) -> list[str]:
        with self._lock:
            return [c.label for c in self.calls]

    def timeline(self, until: float | None = None, width: int = 40) -> list[str]:
        return timeline(self.calls, until=until if until is not None else self.now(), width=width)


class Rendezvous:
    """A gate that opens only when ``parties`` callers wait in it at once, or breaks at ``timeout``."""

    def __init__(self, parties: int, timeout: float) -> None:
        self.parties = parties
        self.timeout = timeout
        self.most_waiting = 0
        self.opened = False
        """Whether ``parties`` callers ever met here."""
        self._waiting = 0
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(parties)

    def wait(self) -> bool:
        """Wait for the others; True if all ``parties`` met, False if the gate broke."""
        with self._lock:
            self._waiting += 1
            self.most_waiting = max(self.most_waiting, self._waiting)
        try:
            self._barrier.wait(self.timeout)
            self.opened = True
            return True
        except threading.BrokenBarrierError:
            return False
        finally:
            with self._lock:
                self._waiting -= 1

    def abort(self) -> None:
        """Break the gate for anyone still waiting (graders call it when a claim ends)."""
        self._barrier.abort()


def timeline(calls: list[Call], *, until: float, width: int = 40) -> list[str]:
    """ASCII bars, one per call: ``'u1' ······█████████·····  0.00-0.45 s``."""
    if not calls:
        return ["(no calls)"]
    span = max(until, *(c.end or until for c in calls), 1e-3)
    label_width = min(max(len(c.label) for c in calls), 16)
    scale = width / span
    lines = [f"{'':{label_width}} 0 s{'':{width - 6}}{span:.2f} s"]
    for c in calls:
        first = min(width - 1, int(c.start * scale))
        last = max(first + 1, min(width, int((c.end if c.end is not None else span) * scale + 0.999)))
        bar = "·" * first + "█" * (last - first) + "·" * (width - last)
        end = f"{c.end:.2f} s" if c.end is not None else "still running"
        lines.append(f"{c.label[:label_width]:{label_width}} {bar}  {c.start:.2f}-{end}")
    return lines
