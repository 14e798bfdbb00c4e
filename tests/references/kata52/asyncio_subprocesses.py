"""Kata 52 reference — style: asyncio subprocesses driven by asyncio.run (a private event loop per call)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Sequence


async def _reap(procs) -> None:
    for p in procs:
        if p.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                p.kill()
    for p in procs:
        await p.wait()


async def _run_batch(commands, inputs, timeout):
    deadline = time.monotonic() + timeout
    procs = []
    try:
        for cmd, data in zip(commands, inputs, strict=False):
            procs.append(
                await asyncio.create_subprocess_exec(
                    *cmd,
                    stdin=subprocess.DEVNULL if data is None else subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
    except BaseException:
        await _reap(procs)
        raise
    jobs = [asyncio.ensure_future(p.communicate(data)) for p, data in zip(procs, inputs, strict=False)]
    try:
        outs = await asyncio.wait_for(asyncio.gather(*jobs), max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        await _reap(procs)
        cmd = list(commands[0]) if len(commands) == 1 else [list(c) for c in commands]
        raise subprocess.TimeoutExpired(cmd, timeout) from None
    except BaseException:
        await _reap(procs)
        raise
    return [
        subprocess.CompletedProcess(list(cmd), p.returncode, out.decode("utf-8"), err.decode("utf-8"))
        for cmd, p, (out, err) in zip(commands, procs, outs, strict=False)
    ]


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    data = None if input is None else input.encode("utf-8")
    return asyncio.run(_run_batch([list(args)], [data], timeout))[0]


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    if not commands:
        return []
    return asyncio.run(_run_batch([list(c) for c in commands], [None] * len(commands), timeout))


async def _pipeline(commands, data: bytes, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    procs = []
    upstream = None
    try:
        for i, cmd in enumerate(commands):
            last = i == len(commands) - 1
            if last:
                r = w = None
            else:
                r, w = os.pipe()
            try:
                p = await asyncio.create_subprocess_exec(
                    *cmd,
                    stdin=subprocess.PIPE if i == 0 else upstream,
                    stdout=subprocess.PIPE if last else w,
                )
            finally:
                if w is not None:
                    os.close(w)
                if upstream is not None:
                    os.close(upstream)
                    upstream = None
            upstream = r
            procs.append(p)
    except BaseException:
        if upstream is not None:
            os.close(upstream)
        await _reap(procs)
        raise

    async def feed():
        try:
            procs[0].stdin.write(data)
            await procs[0].stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            procs[0].stdin.close()

    async def collect():
        if len(procs) == 1:
            out, _ = await procs[0].communicate(data)
        else:
            _, out = await asyncio.gather(feed(), procs[-1].stdout.read())
        for p in procs:
            await p.wait()
        return out

    try:
        out = await asyncio.wait_for(collect(), max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        await _reap(procs)
        raise subprocess.TimeoutExpired([list(c) for c in commands], timeout) from None
    except BaseException:
        await _reap(procs)
        raise
    for cmd, p in zip(commands, procs, strict=False):
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, list(cmd), output=out)
    return out


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if not commands:
        raise ValueError("pipeline of no commands")
    return asyncio.run(_pipeline([list(c) for c in commands], bytes(data), timeout))
