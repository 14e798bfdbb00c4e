"""Joins the arguments into one string and runs it through a shell.

From the round-2 independent test: on the empty-stdin claim the shell mangles the command, so the child prints
nothing; the message must say the command did not run as given, not that stdin was inherited.

expect-fail: test_run_gives_the_child_an_empty_stdin
expect-words: did not run as given, no shell
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        " ".join(args),
        shell=True,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def _kill_all(procs):
    for p in procs:
        if p.poll() is None:
            try:
                p.kill()
            except ProcessLookupError:
                pass
    for p in procs:
        # drain and close pipes, reap
        try:
            p.communicate()
        except Exception:
            p.wait()


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
        results = []
        for cmd, p in zip(commands, procs):
            remaining = max(0.0, deadline - time.monotonic())
            out, err = p.communicate(timeout=remaining)
            results.append(subprocess.CompletedProcess(list(cmd), p.returncode, out, err))
        return results
    except subprocess.TimeoutExpired:
        _kill_all(procs)
        raise subprocess.TimeoutExpired(list(commands), timeout) from None
    except BaseException:
        _kill_all(procs)
        raise


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("pipeline needs at least one command")
    deadline = time.monotonic() + timeout
    procs: list[subprocess.Popen[bytes]] = []
    try:
        prev_out = None
        for i, cmd in enumerate(commands):
            p = subprocess.Popen(
                list(cmd),
                stdin=subprocess.PIPE if i == 0 else prev_out,
                stdout=subprocess.PIPE,
            )
            if prev_out is not None:
                prev_out.close()  # only the child keeps it now
            prev_out = p.stdout
            procs.append(p)

        first, last = procs[0], procs[-1]

        def feed():
            try:
                first.stdin.write(data)
            except (BrokenPipeError, OSError, ValueError):
                pass
            finally:
                try:
                    first.stdin.close()
                except (BrokenPipeError, OSError):
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        chunks = []
        reader_done = threading.Event()

        def drain():
            try:
                while True:
                    b = last.stdout.read(65536)
                    if not b:
                        break
                    chunks.append(b)
            finally:
                reader_done.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        if not reader_done.wait(max(0.0, deadline - time.monotonic())):
            raise subprocess.TimeoutExpired(list(commands), timeout)
        for p in procs:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        writer.join(max(0.0, deadline - time.monotonic()))
        for cmd, p in zip(commands, procs):
            if p.returncode != 0:
                raise subprocess.CalledProcessError(p.returncode, cmd)
        return b"".join(chunks)
    except subprocess.TimeoutExpired:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            p.wait()
            for f in (p.stdin, p.stdout):
                if f is not None:
                    try:
                        f.close()
                    except OSError:
                        pass
        raise subprocess.TimeoutExpired(list(commands), timeout) from None
