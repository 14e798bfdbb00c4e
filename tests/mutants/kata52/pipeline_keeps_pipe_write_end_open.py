"""Never closes the parent's copy of each stage's stdout write end, so no stage sees end-of-file.

expect-fail: test_pipeline_feeds_each_stage_into_the_next
expect-words: timeoutexpired
"""

import os
import selectors
import subprocess
import time
from collections.abc import Sequence

_CHUNK = 64 * 1024


def _pump(writes: dict[int, bytes], reads: dict[int, bytearray], deadline: float) -> bool:
    """Write each `writes` fd's bytes then close it; read each `reads` fd to its end and close it.
    Returns False if the deadline passed first (every fd is closed either way)."""
    pending = {fd: memoryview(data) for fd, data in writes.items()}
    with selectors.DefaultSelector() as selector:
        for fd in pending:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_WRITE)
        for fd in reads:
            selector.register(fd, selectors.EVENT_READ)
        try:
            while selector.get_map():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                for key, _ in selector.select(remaining):
                    if key.fd in reads:
                        chunk = os.read(key.fd, _CHUNK)
                        reads[key.fd] += chunk
                        done = not chunk
                    else:
                        view = pending[key.fd]
                        try:
                            view = view[os.write(key.fd, view[:_CHUNK]) :]
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:  # the child exited without reading the rest
                            view = view[:0]
                        pending[key.fd] = view
                        done = not view
                    if done:
                        selector.unregister(key.fd)
                        os.close(key.fd)
        finally:
            for key in list(selector.get_map().values()):
                selector.unregister(key.fd)
                os.close(key.fd)
    return True


def _wait_all(
    procs: list[subprocess.Popen[bytes]],
    writes: dict[int, bytes],
    reads: dict[int, bytearray],
    deadline: float,
    timeout: float,
) -> None:
    """Pump the pipes, then reap every child; at the deadline kill and reap them all and raise."""
    try:
        if not _pump(writes, reads, deadline):
            raise subprocess.TimeoutExpired("pipes", timeout)
        for proc in procs:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
        raise subprocess.TimeoutExpired([proc.args for proc in procs], timeout) from None


def _run_many(
    commands: Sequence[tuple[Sequence[str], str | None]], timeout: float
) -> list[subprocess.CompletedProcess[str]]:
    deadline = time.monotonic() + timeout
    procs: list[subprocess.Popen[bytes]] = []
    writes: dict[int, bytes] = {}
    reads: dict[int, bytearray] = {}
    streams: list[tuple[int, int]] = []  # (stdout, stderr) of each child
    for args, text in commands:
        stdin = subprocess.DEVNULL
        if text is not None:
            stdin, stdin_w = os.pipe()
            writes[stdin_w] = text.encode("utf-8")
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        reads[out_r], reads[err_r] = bytearray(), bytearray()
        streams.append((out_r, err_r))
        procs.append(subprocess.Popen(list(args), stdin=stdin, stdout=out_w, stderr=err_w))
        for fd in (stdin, out_w, err_w):  # the parent's copies of the child's ends
            if fd >= 0:
                os.close(fd)
    _wait_all(procs, writes, reads, deadline, timeout)
    return [
        subprocess.CompletedProcess(proc.args, proc.returncode, reads[out].decode(), reads[err].decode())
        for proc, (out, err) in zip(procs, streams, strict=True)
    ]


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    return _run_many([(args, input)], timeout)[0]


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    return _run_many([(command, None) for command in commands], timeout)


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("a pipeline needs at least one command")
    deadline = time.monotonic() + timeout
    upstream, first_stdin = os.pipe()
    procs: list[subprocess.Popen[bytes]] = []
    for command in commands:
        down_r, down_w = os.pipe()
        procs.append(
            subprocess.Popen(list(command), stdin=upstream, stdout=down_w, stderr=subprocess.DEVNULL)
        )
        os.close(upstream)  # the parent's copies of this stage's ends
        upstream = down_r
    output = bytearray()
    _wait_all(procs, {first_stdin: data}, {upstream: output}, deadline, timeout)
    for proc in procs:
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return bytes(output)
