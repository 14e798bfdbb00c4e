"""Never passes the timeout on, so a child that never exits blocks the call forever.

expect-fail: test_run_kills_and_reaps_the_child_at_the_timeout
expect-words: timeout
"""

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, AnyStr


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        encoding="utf-8",
        check=False,
    )


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _read_in_background(stream: IO[AnyStr]) -> Callable[[], AnyStr]:
    """Read `stream` to its end in a thread (which then closes it); the result is a function that
    waits for that thread and returns what it read."""
    chunks: list[AnyStr] = []

    def drain() -> None:
        with stream:
            chunks.append(stream.read())

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()

    def collect() -> AnyStr:
        thread.join()
        return chunks[0]

    return collect


def _kill_and_reap(procs: Sequence[subprocess.Popen[AnyStr]]) -> None:
    for proc in procs:
        proc.kill()  # a no-op for a child already reaped
    for proc in procs:
        proc.wait()


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    deadline = time.monotonic() + timeout
    procs = [
        subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        for command in commands
    ]
    outputs = [(_read_in_background(p.stdout), _read_in_background(p.stderr)) for p in procs]
    try:
        for proc in procs:
            proc.wait(timeout=_remaining(deadline))
    except subprocess.TimeoutExpired as exc:
        _kill_and_reap(procs)
        raise subprocess.TimeoutExpired(exc.cmd, timeout) from None
    return [
        subprocess.CompletedProcess(proc.args, proc.returncode, out(), err())
        for proc, (out, err) in zip(procs, outputs, strict=True)
    ]


def _feed(stream: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):
        stream.write(data)
    with contextlib.suppress(BrokenPipeError):
        stream.close()


def _stage(command: Sequence[str], *, stdin: int | IO[bytes] | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(list(command), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("a pipeline needs at least one command")
    deadline = time.monotonic() + timeout
    procs: list[subprocess.Popen[bytes]] = []
    upstream: int | IO[bytes] | None = subprocess.PIPE
    for command in commands:
        proc = _stage(command, stdin=upstream)
        if procs:
            procs[-1].stdout.close()  # the child has its own copy now
        procs.append(proc)
        upstream = proc.stdout
    feeder = threading.Thread(target=_feed, args=(procs[0].stdin, data), daemon=True)
    feeder.start()
    output = _read_in_background(procs[-1].stdout)
    try:
        for proc in procs:
            proc.wait(timeout=_remaining(deadline))
    except subprocess.TimeoutExpired as exc:
        _kill_and_reap(procs)
        raise subprocess.TimeoutExpired(exc.cmd, timeout) from None
    feeder.join()
    result = output()
    for proc in procs:
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return result
