"""At the timeout kills and reaps only the last stage; the first one, which had exited on its own, is never reaped.

expect-fail: test_pipeline_kills_and_reaps_every_stage_at_the_timeout
expect-words: exited on its own, never reaped, still running
"""

from __future__ import annotations

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
                prev_out.close()
            prev_out = p.stdout
            procs.append(p)
    except BaseException:
        _kill_all(procs)
        raise

    def feed():
        try:
            procs[0].stdin.write(data)
        except (BrokenPipeError, ValueError, OSError):
            pass
        finally:
            try:
                procs[0].stdin.close()
            except OSError:
                pass

    chunks: list[bytes] = []

    def drain():
        try:
            chunks.append(procs[-1].stdout.read())
        except (ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    reader = threading.Thread(target=drain, daemon=True)
    feeder.start()
    reader.start()
    reader.join(max(deadline - time.monotonic(), 0))
    timed_out = reader.is_alive()
    if not timed_out:
        for p in procs:
            try:
                p.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                timed_out = True
                break
    if timed_out:
        procs[-1].kill()
        procs[-1].wait()
        reader.join(1)
        raise subprocess.TimeoutExpired([list(c) for c in commands], timeout)
    feeder.join()
    procs[-1].stdout.close()
    out = b"".join(chunks)
    for cmd, p in zip(commands, procs):
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, list(cmd), output=out)
    return out
