"""Kata 52 · Child processes (Effective Python, Item 52).

``subprocess`` runs other programs as child processes that work in parallel with Python and with
each other.  Three habits keep them safe: pass the arguments as a list (no shell that could
reinterpret ``$HOME`` or ``; rm``), never let a child wait on your terminal, and always give a
child a deadline, killing and reaping it when the deadline passes.  A child's output travels
through a pipe that holds only about 64 KB: a parent that waits for the child to exit before
reading deadlocks as soon as the child writes more than that.

Task 1 · ``run(args, input=None, timeout=...)``: run one command directly, never through a shell
(shell metacharacters reach the child literally).  ``input`` is written to the child's stdin; with
``input=None`` the child's stdin is empty.  Capture stdout and stderr separately as UTF-8 text and
return a ``subprocess.CompletedProcess``; a non-zero exit status is returned, not raised.  If the
child is still running at ``timeout`` seconds, kill it, reap it (wait for it), then raise
``subprocess.TimeoutExpired``.  Megabytes of output on both streams must never deadlock.

Task 2 · ``run_all(commands, timeout=...)``: run every command as ``run`` does, but start them all
before waiting for any, so they run at the same time.  Results come back in the order of
``commands``.  ``timeout`` is one deadline for the whole batch: at the deadline, kill and reap every
child still running and raise ``TimeoutExpired``.  ``run_all([])`` is ``[]``.

Task 3 · ``pipeline(commands, data, timeout=...)``: like the shell's ``c1 | c2 | ... | cn``.
``data`` goes to the first stage's stdin, each stage's stdout feeds the next, and the last stage's
stdout comes back as bytes.  All stages run at the same time, and 16 MB of data never deadlocks
(keep writing input and reading output at once).  If a stage exits non-zero, raise
``subprocess.CalledProcessError`` for the first such stage in order.  On timeout, kill and reap
every stage and raise ``TimeoutExpired``.  ``pipeline([], ...)`` raises ``ValueError``.

Run ``tox -e kata52`` to grade this file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``args`` (no shell) with ``input`` on its stdin; its captured output and exit status.

    Raises:
        subprocess.TimeoutExpired: after killing and reaping a child still running at ``timeout``.
    """
    # TODO: subprocess.run can do all of this, given the right arguments.
    raise NotImplementedError


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    """Run every command at the same time; their results in the order of ``commands``.

    Raises:
        subprocess.TimeoutExpired: after killing and reaping every child still running at the deadline.
    """
    # TODO: start every Popen first, then collect each one within what is left of one deadline.
    raise NotImplementedError


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    """``commands[0] | commands[1] | ...`` fed with ``data``; the last stage's stdout.

    Raises:
        ValueError: ``commands`` is empty.
        subprocess.CalledProcessError: for the first stage, in order, that exits non-zero.
        subprocess.TimeoutExpired: after killing and reaping every stage, at ``timeout``.
    """
    # TODO: connect each stage's stdout to the next stage's stdin; feed and drain at the same time.
    raise NotImplementedError
