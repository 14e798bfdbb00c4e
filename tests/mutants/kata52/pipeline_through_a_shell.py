"""Runs the whole pipeline as one shell command line (shell=True with ' | ').

expect-fail: test_pipeline_passes_arguments_literally_without_a_shell
expect-words: went through a shell
"""

from __future__ import annotations

import shlex
import subprocess
import threading
import time
from collections.abc import Sequence


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def _kill_all(procs):
    for p in procs:
        try:
            p.kill()
        except OSError:
            pass
    for p in procs:
        p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    deadline = time.monotonic() + timeout
    procs: list[subprocess.Popen[str]] = []
    try:
        for cmd in commands:
            procs.append(
                subprocess.Popen(
                    list(cmd),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    encoding="utf-8",
                )
            )
    except BaseException:
        _kill_all(procs)
        raise
    results = []
    for cmd, p in zip(commands, procs):
        remaining = deadline - time.monotonic()
        try:
            out, err = p.communicate(timeout=max(remaining, 0))
        except subprocess.TimeoutExpired:
            _kill_all(procs)
            raise subprocess.TimeoutExpired(list(cmd), timeout) from None
        except BaseException:
            _kill_all(procs)
            raise
        results.append(subprocess.CompletedProcess(list(cmd), p.returncode, out, err))
    return results


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("pipeline needs at least one command")
    line = " | ".join(shlex.join(list(c)) for c in commands)
    done = subprocess.run(line, shell=True, input=data, stdout=subprocess.PIPE, timeout=timeout)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, line, output=done.stdout)
    return done.stdout
