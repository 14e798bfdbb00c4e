"""Whether a thread is on the CPU, from ``/proc``: waiting until a thread has ended or is blocked.

A grader that must let a learner's thread go as far as it can (until it blocks in a lock, a queue, a join)
before the next step of a scenario asks :func:`settle`; a thread that is merely waiting for a CPU on a
loaded machine is still "R" (running or ready) and is waited for, so the load cannot change what it sees.
A thread that spins in Python shows "S" while it waits for the GIL the settling thread holds, so a look also
asks whether the thread ran at all since the last one (its CPU time in ``schedstat``, in nanoseconds).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path


def scheduler_state(native_id: int | None) -> str | None:
    """The thread's scheduler state ("R" running or ready, "S" sleeping, "D", ...), or None when it has
    ended or there is no ``/proc``."""
    if native_id is None:
        return None
    try:
        stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2]


def cpu_nanoseconds(native_id: int | None) -> int | None:
    """The thread's time on a CPU so far, in nanoseconds (``schedstat``), or None when unknown."""
    if native_id is None:
        return None
    try:
        return int(Path(f"/proc/self/task/{native_id}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def settle(
    thread: threading.Thread, *, give_up: float = 1.0, looks: int = 3, every: float = 0.005, blind: float = 0.5
) -> None:
    """Wait until ``thread`` has ended, or is off the CPU and has not run since the look before, in ``looks``
    consecutive looks ``every`` seconds apart.

    Without ``/proc`` it waits ``blind`` seconds instead.  ``give_up`` bounds the wait: it only keeps a
    scenario moving, it never decides a verdict.
    """
    if thread is threading.current_thread():
        return
    seen, end = 0, time.monotonic() + give_up
    ran = cpu_nanoseconds(thread.native_id)
    while time.monotonic() < end:
        thread.join(every)  # the GIL is free meanwhile: a thread that can run does, and its CPU time grows
        if not thread.is_alive():
            return
        state = scheduler_state(thread.native_id)
        if state is None:
            thread.join(blind)
            return
        before, ran = ran, cpu_nanoseconds(thread.native_id)
        seen = seen + 1 if state != "R" and (ran is None or ran == before) else 0
        if seen >= looks:
            return
