"""Child processes: which ones a call started (and how), and which ones it left behind.

The kernel is the witness: children are read from ``/proc`` by parent PID, so a child that is still
running and one that was killed but never waited for (a zombie) are told apart, whatever library
started them.  How a child was started (its executable and argv) comes from the ``subprocess.Popen``
audit event.  A process orphaned by the death of the child that started it (a shell's own children) is found
by a mark that every process started inside :func:`marked` inherits in its environment.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Child:
    pid: int
    state: str
    """The kernel's one-letter state: ``Z`` for a zombie (dead, never reaped)."""
    command: str

    @property
    def zombie(self) -> bool:
        return self.state == "Z"

    def describe(self) -> str:
        status = "killed but never reaped (a zombie)" if self.zombie else "still running"
        return f"pid {self.pid} `{_shorten(self.command)}` is {status}"


def children(pid: int | None = None) -> dict[int, Child]:
    """The live and zombie children of ``pid`` (default: this process), from ``/proc``."""
    parent = os.getpid() if pid is None else pid
    listed = _listed_children(parent)
    found = {}
    for child_pid in _every_pid() if listed is None else listed:
        read = _read(child_pid)
        if read is not None and read[0] == parent:
            found[child_pid] = read[1]
    return found


def _read(pid: int) -> tuple[int, Child] | None:
    """The parent pid of process ``pid`` and the process, from ``/proc``; None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), Child(pid, fields[0], command.strip() or stat.split()[1])


def _every_pid() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _listed_children(parent: int) -> set[int] | None:
    """The children the kernel lists for each thread of ``parent`` (``/proc/PID/task/TID/children``): a few
    reads instead of one per process on the machine.  None if the kernel keeps no such list, or if a thread
    ended during the reading (an ending thread's children move to another thread, maybe one already read).
    """
    tasks = Path(f"/proc/{parent}/task")
    try:
        before = {entry.name for entry in tasks.iterdir()}
    except OSError:
        return None
    listed: set[int] = set()
    for tid in before:
        try:
            listed.update(int(pid) for pid in Path(tasks, tid, "children").read_text().split())
        except FileNotFoundError:
            if Path(tasks, tid).exists():
                return None  # a kernel built without CONFIG_PROC_CHILDREN
        except OSError:
            continue
    try:
        after = {entry.name for entry in tasks.iterdir()}
    except OSError:
        return None
    return listed if after >= before else None


@dataclass
class Spawn:
    executable: str
    args: list[str]


@dataclass
class ChildWatch:
    """What happened to child processes while the ``with`` block ran."""

    before: set[int] = field(default_factory=set)
    spawned: list[Spawn] = field(default_factory=list)

    def left_behind(self, settle: float = 0.0) -> list[Child]:
        """Children that did not exist before the block and still exist (running or zombie).

        With ``settle``, wait up to that long for children that were just killed to become zombies
        or disappear (the kernel takes a few milliseconds), so the report says which they are.
        """
        end = time.monotonic() + settle
        while True:
            left = [c for pid, c in sorted(children().items()) if pid not in self.before]
            if all(c.zombie for c in left) or time.monotonic() >= end:
                return left
            time.sleep(0.01)


_watches: list[ChildWatch] = []
_watches_lock = threading.Lock()


def _audit(event: str, args: tuple) -> None:
    if event == "os.fork" and _watches:  # multiprocessing's default start method on Linux up to 3.13
        with _watches_lock:
            for watch in _watches:
                watch.spawned.append(Spawn("fork", []))
    if event == "subprocess.Popen" and _watches:
        executable, argv = args[0], args[1]
        argv = [argv] if isinstance(argv, str | bytes) else list(argv)
        with _watches_lock:
            for watch in _watches:
                watch.spawned.append(Spawn(os.fsdecode(executable), [os.fsdecode(a) for a in argv]))


sys.addaudithook(_audit)


@contextmanager
def watch() -> Iterator[ChildWatch]:
    """Record the children started inside the block and let the caller ask which were left behind."""
    current = ChildWatch(before=set(children()))
    with _watches_lock:
        _watches.append(current)
    try:
        yield current
    finally:
        with _watches_lock:
            _watches.remove(current)


def _shorten(command: str, limit: int = 70) -> str:
    return command if len(command) <= limit else command[: limit - 1] + "…"


def kill(found: list[Child]) -> None:
    """SIGKILL and reap children a claim left behind, so they cannot disturb the next claim."""
    for child in found:
        with suppress(ProcessLookupError):
            os.kill(child.pid, 9)
        with suppress(ChildProcessError):
            os.waitpid(child.pid, 0)


MARK = "GRADER_CLAIM_MARK"
"""The environment variable :func:`marked` sets: every process started meanwhile inherits it."""


@contextmanager
def marked() -> Iterator[None]:
    """Give every process started inside the block a fresh mark in its environment (see :func:`orphans`)."""
    saved = os.environ.get(MARK)
    os.environ[MARK] = secrets.token_hex(8)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(MARK, None)
        else:
            os.environ[MARK] = saved


def orphans() -> list[Child]:
    """Live processes carrying the current mark that are no longer this process's children: the process that
    started them (a shell running a pipeline's stages) was killed or ended without them."""
    needle = f"{MARK}={os.environ.get(MARK, '')}".encode()
    mine = set(children()) | {os.getpid()}
    found = []
    for pid in _every_pid():
        if pid in mine:
            continue
        try:
            if needle not in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                continue
        except OSError:
            continue
        read = _read(pid)
        if read is not None and not read[1].zombie:
            found.append(read[1])
    return found
