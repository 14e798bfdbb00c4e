"""The parent keeps its copy of a middle pipe's write end, so the next stage never sees end of file.

From the round-2 independent test: the message must say a stage never saw the end of its input, not that a
failing stage was ignored.

expect-fail: test_pipeline_raises_for_the_first_failing_stage
expect-words: never saw the end of its input, write end, os.close
"""
from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor, wait
from collections.abc import Sequence


class _Batch:
    """Children that are killed and reaped together."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def add(self, proc: subprocess.Popen) -> subprocess.Popen:
        self.procs.append(proc)
        return proc

    def kill_and_reap(self, close: bool = True) -> None:
        for p in self.procs:
            try:
                p.kill()
            except OSError:
                pass
        for p in self.procs:
            p.wait()
            if not close:
                continue
            for s in (p.stdin, p.stdout, p.stderr):
                if s:
                    try:
                        s.close()
                    except OSError:
                        pass


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    with subprocess.Popen(
        args,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        encoding="utf-8",
        errors="strict",
    ) as proc:
        try:
            stdout, stderr = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    if len(commands) == 0:
        return []
    deadline = time.monotonic() + timeout
    batch = _Batch()
    try:
        procs = [
            batch.add(
                subprocess.Popen(
                    c, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8"
                )
            )
            for c in commands
        ]
        with ThreadPoolExecutor(max_workers=len(procs)) as pool:
            futures = [pool.submit(p.communicate) for p in procs]
            done, not_done = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
            if not_done:
                batch.kill_and_reap(close=False)  # also ends every communicate still running
                raise subprocess.TimeoutExpired(commands, timeout)
            outs = [f.result() for f in futures]
    except BaseException:
        batch.kill_and_reap()
        raise
    return [
        subprocess.CompletedProcess(p.args, p.returncode, out, err) for p, (out, err) in zip(procs, outs)
    ]


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("no commands")
    deadline = time.monotonic() + timeout
    batch = _Batch()
    try:
        if len(commands) == 1:
            p = batch.add(subprocess.Popen(commands[0], stdin=subprocess.PIPE, stdout=subprocess.PIPE))
            out, _ = p.communicate(data, timeout=timeout)
        else:
            r, w = os.pipe()
            first = batch.add(subprocess.Popen(commands[0], stdin=subprocess.PIPE, stdout=w))
            os.close(w)
            for cmd in commands[1:-1]:
                r2, w2 = os.pipe()
                batch.add(subprocess.Popen(cmd, stdin=r, stdout=w2))
                os.close(r)
                r = r2
            last = batch.add(subprocess.Popen(commands[-1], stdin=r, stdout=subprocess.PIPE))
            os.close(r)
            with ThreadPoolExecutor(max_workers=1) as pool:
                feeding = pool.submit(first.communicate, data)
                try:
                    out, _ = last.communicate(timeout=max(0.0, deadline - time.monotonic()))
                    feeding.result(timeout=max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    batch.kill_and_reap(close=False)
                    raise subprocess.TimeoutExpired(commands, timeout) from None
                except BaseException:
                    batch.kill_and_reap(close=False)
                    raise
        for p in batch.procs:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        batch.kill_and_reap()
        raise subprocess.TimeoutExpired(commands, timeout) from None
    except BaseException:
        batch.kill_and_reap()
        raise
    for cmd, p in zip(commands, batch.procs):
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, cmd)
    return out
