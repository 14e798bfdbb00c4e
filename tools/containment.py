"""Keep one grading process inside its limits, and leave nothing of it running afterwards.

Limits are set on the grading process (``prlimit``) before it reads its results token, so before any
learner code runs, and every process it starts inherits them: open files, the size of any file it writes
(its captured output included), and the number of processes.  Memory and the number of processes in the
grading session are watched while it runs.  Every process it starts carries a mark in its environment, so
that one that left the session (``setsid``, a double fork) is still found and killed at the end.
"""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

MARK = "CONCURRENCY_KATAS_GRADING"
"""Environment variable carrying a grading's own mark into every process it starts."""

OPEN_FILES = 4096
"""Open files per process: far above what any claim needs; a submission that opens thousands gets EMFILE."""
FILE_SIZE = 64 * 2**20
"""Largest file a grading may write (its captured output included); beyond it the kernel sends SIGXFSZ."""
MEMORY = 2 * 2**30
"""Memory of all the grading's processes together (shared pages counted once), watched while it runs."""
PROCESSES = 64
"""Processes in the grading session at once, watched while it runs (a pool of workers needs a handful)."""
THREADS_HEADROOM = 1024
"""Threads (the kernel counts them against RLIMIT_NPROC) the grading may add to what the machine runs."""

_PAGE = os.sysconf("SC_PAGE_SIZE")
_SIGNAL_REASONS = {
    signal.SIGXFSZ: f"it wrote more than {FILE_SIZE // 2**20} MB to a file or to its output",
    signal.SIGSEGV: "the interpreter crashed (segmentation fault)",
    signal.SIGABRT: "the interpreter aborted",
}


def new_mark() -> str:
    return secrets.token_hex(8)


def limit(pid: int) -> None:
    """Set the grading process's limits (inherited by all it starts); call before any learner code runs."""
    try:
        total_threads = int(Path("/proc/loadavg").read_text().split()[3].split("/")[1])
    except (OSError, ValueError, IndexError):
        total_threads = 0
    for which, value in (
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_FSIZE, FILE_SIZE),
        (resource.RLIMIT_NPROC, total_threads + THREADS_HEADROOM),
        (resource.RLIMIT_CORE, 0),
    ):
        with contextlib.suppress(OSError, ValueError):  # never above a hard limit already lower; gone already
            hard = resource.prlimit(pid, which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.prlimit(pid, which, (value, value))


def signal_reason(number: int) -> str:
    """Why a process killed by signal ``number`` died, in the learner's terms."""
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"{_SIGNAL_REASONS[number]} ({name})" if number in _SIGNAL_REASONS else f"killed by {name}"


@dataclass(frozen=True)
class Usage:
    processes: int
    memory: int

    def excess(self) -> str | None:
        """Why the grading must be stopped now, if it must."""
        if self.processes > PROCESSES:
            return f"it ran {self.processes} processes at once (the limit is {PROCESSES}): a fork bomb?"
        if self.memory > MEMORY:
            return f"its processes used {self.memory / 2**30:.1f} GB of memory (the limit is {MEMORY // 2**30} GB)"
        return None


def usage(session: int) -> Usage:
    """Processes and resident memory of everything in the grading session ``session``."""
    processes = memory = 0
    for pid in _pids():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if int(stat.rpartition(")")[2].split()[3]) != session:
                continue
            memory += _memory(pid)
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        processes += 1
    return Usage(processes, memory)


def marked(mark: str) -> list[int]:
    """Every process still running that a grading with ``mark`` started (wherever it moved to)."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for pid in _pids():
        with contextlib.suppress(OSError):
            if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(pid)
    return found


def sweep(mark: str, rounds: int = 50) -> int:
    """Stop, then kill, every process carrying ``mark`` until none is left; how many were found."""
    killed: set[int] = set()
    for _ in range(rounds):
        pids = [p for p in marked(mark) if p != os.getpid()]
        if not pids:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):  # freeze a fork bomb before killing it
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
        killed.update(pids)
        for pid in pids:  # reap the ones that are our own children
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
    return len(killed)


def _memory(pid: int) -> int:
    """Bytes of memory ``pid`` uses, its share of pages shared with others counted once (PSS) where known."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]
