"""With input=None, run gives the child stdin=PIPE and never closes it, so a child that reads stdin waits forever.

From the round-2 independent test: the message must say the child was blocked reading a stdin that never ended.

expect-fail: test_run_gives_the_child_an_empty_stdin
expect-words: blocked reading, never ended, devnull
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


def _pump_in(stream, data: bytes) -> None:
    try:
        view = memoryview(data)
        for start in range(0, len(view), 1 << 16):
            stream.write(view[start:start + (1 << 16)])
            stream.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except (OSError, ValueError):
            pass


def _pump_out(stream, sink: list) -> None:
    try:
        while True:
            chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
            if not chunk:
                break
            sink.append(chunk)
    except (OSError, ValueError):
        pass


@dataclass
class _Child:
    args: Sequence[str]
    input: bytes | None = None
    proc: subprocess.Popen = field(init=False)
    out: list = field(default_factory=list)
    err: list = field(default_factory=list)
    threads: list = field(default_factory=list)

    def start(self) -> "_Child":
        self.proc = subprocess.Popen(
            [str(a) for a in self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if self.input is not None:
            self.threads.append(threading.Thread(target=_pump_in, args=(self.proc.stdin, self.input), daemon=True))
        self.threads.append(threading.Thread(target=_pump_out, args=(self.proc.stdout, self.out), daemon=True))
        self.threads.append(threading.Thread(target=_pump_out, args=(self.proc.stderr, self.err), daemon=True))
        for t in self.threads:
            t.start()
        return self

    def finish(self, deadline: float) -> bool:
        """Wait until the child has exited and its output is drained; False if the deadline passed."""
        try:
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                return False
        return True

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()

    def reap(self) -> None:
        self.proc.wait()
        for t in self.threads:
            t.join(5)
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if s is not None:
                try:
                    s.close()
                except (OSError, ValueError):
                    pass

    def result(self) -> subprocess.CompletedProcess[str]:
        for s in (self.proc.stdout, self.proc.stderr):
            s.close()
        return subprocess.CompletedProcess(
            self.args,
            self.proc.returncode,
            b"".join(self.out).decode("utf-8"),
            b"".join(self.err).decode("utf-8"),
        )


def _collect(children: list[_Child], commands, timeout: float, deadline: float):
    try:
        for c in children:
            if not c.finish(deadline):
                raise subprocess.TimeoutExpired(commands, timeout)
        return [c.result() for c in children]
    except BaseException:
        for c in children:
            c.kill()
        for c in children:
            c.reap()
        raise


def run(args: Sequence[str], *, input: str | None = None, timeout: float) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + timeout
    child = _Child(args, None if input is None else input.encode("utf-8")).start()
    return _collect([child], args, timeout, deadline)[0]


def run_all(commands: Sequence[Sequence[str]], *, timeout: float) -> list[subprocess.CompletedProcess[str]]:
    deadline = time.monotonic() + timeout
    children: list[_Child] = []
    try:
        for cmd in commands:
            children.append(_Child(cmd).start())
    except BaseException:
        for c in children:
            c.kill()
            c.reap()
        raise
    return _collect(children, commands, timeout, deadline)


def _relay(src, dst) -> None:
    try:
        while True:
            chunk = src.read1(1 << 16)
            if not chunk:
                break
            dst.write(chunk)
            dst.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass
    finally:
        for s in (dst, src):
            try:
                s.close()
            except (OSError, ValueError):
                pass


def pipeline(commands: Sequence[Sequence[str]], data: bytes, *, timeout: float) -> bytes:
    if len(commands) == 0:
        raise ValueError("empty pipeline")
    deadline = time.monotonic() + timeout
    procs: list[subprocess.Popen] = []
    threads: list[threading.Thread] = []
    out: list[bytes] = []
    try:
        for cmd in commands:
            procs.append(subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        threads.append(threading.Thread(target=_pump_in, args=(procs[0].stdin, data), daemon=True))
        for a, b in zip(procs, procs[1:]):
            threads.append(threading.Thread(target=_relay, args=(a.stdout, b.stdin), daemon=True))
        threads.append(threading.Thread(target=_pump_out, args=(procs[-1].stdout, out), daemon=True))
        for t in threads:
            t.start()
        for p in procs:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                raise subprocess.TimeoutExpired(commands, timeout)
    except BaseException:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            p.wait()
        for t in threads:
            t.join(5)
        raise
    finally:
        for p in procs:
            for s in (p.stdin, p.stdout):
                if s is not None:
                    try:
                        s.close()
                    except (OSError, ValueError):
                        pass
    for cmd, p in zip(commands, procs):
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, cmd)
    return b"".join(out)
