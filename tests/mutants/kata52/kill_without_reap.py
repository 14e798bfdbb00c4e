"""Kills the child at the timeout but never waits for it, leaving a zombie nobody reaped.

expect-fail: test_run_kills_and_reaps_the_child_at_the_timeout
expect-words: reaped, killed (sigkill)
"""

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO


def _finish(
    proc: subprocess.Popen[str], input: str | None, deadline: float
) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = proc.communicate(input, timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()  # reaps the child and closes its pipes
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def _start(args: Sequence[str], *, with_input: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        list(args),
        stdin=subprocess.PIPE if with_input else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    proc = _start(args, with_input=input is not None)
    try:
        stdout, stderr = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    if not commands:
        return []
    deadline = time.monotonic() + timeout
    procs = [_start(command, with_input=False) for command in commands]
    # Every child times out at the same deadline; leaving the pool waits until each is reaped.
    with ThreadPoolExecutor(max_workers=len(procs)) as pool:
        futures = [pool.submit(_finish, proc, None, deadline) for proc in procs]
        return [future.result() for future in futures]


def _feed(fd: int, data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError), open(fd, "wb") as stream:
        stream.write(data)


def _stage(command: Sequence[str], *, stdin: int | IO[bytes] | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(list(command), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("a pipeline needs at least one command")
    deadline = time.monotonic() + timeout
    read_end, write_end = os.pipe()  # our own pipe into the first stage, fed by a thread
    procs = [_stage(commands[0], stdin=read_end)]
    os.close(read_end)
    for command in commands[1:]:
        upstream = procs[-1].stdout
        procs.append(_stage(command, stdin=upstream))
        upstream.close()  # only the next stage reads it now
    feeder = threading.Thread(target=_feed, args=(write_end, data), daemon=True)
    feeder.start()
    last = procs[-1]
    try:
        output, _ = last.communicate(timeout=max(0.0, deadline - time.monotonic()))
        for proc in procs:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
        last.stdout.close()
        raise
    feeder.join()
    for proc in procs:
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return output
