"""Kata 63 · Keeping the event loop responsive: the claims.

Blocking is proven by structure: an audit hook says which thread opened the file, a wrapped
``digest`` says which thread computed it, a profiler on the loop's thread catches ``time.sleep``,
``Future.result()`` and ``Thread.join()`` called from the learner's coroutine, directly or through the
standard library's blocking calls (``executor.map``'s results, ``concurrent.futures.wait``).  A 5 ms heartbeat is
the evidence, and fails a submission on its own only past a wide margin.  The backoff is checked by
what the coroutine awaited (the delays it passed to ``asyncio.sleep``), not by summing wall time.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from graders.harness.aio import BlockingSpy, Heartbeat, OpenWatch
from graders.harness.messages import failure, short_repr

GIVE_UP = 20.0
"""Seconds after which a scenario of eight 0.2 s digests is a hang."""
LATE = 1.0
"""Heartbeat lateness that fails on its own: correct code was measured up to 0.56 s late on a loaded
2-core machine, blocking mistakes 1.6 s."""
WAITS = ("Future.result()", "Thread.join()", "Event.wait()", "queue.Queue.get()")
"""The blocking waits on a thread or a future that BlockingSpy reports (not sleeps, opens or locks)."""
OFF_LOOP_IDEA = "await asyncio.to_thread(read, path) and await asyncio.to_thread(digest, data)"
BACKOFF_IDEA = "for attempt in range(retries + 1): try upload; except ConnectionError: last try? raise; " + (
    "else await asyncio.sleep(backoff * 2**attempt)"
)


@dataclass
class Scene:
    """What ``process`` calls did, seen from the loop."""

    values: list[Any] = field(default_factory=list)
    errors: list[BaseException | None] = field(default_factory=list)
    loop_thread: int = 0
    opened_on: list[int] = field(default_factory=list)
    digested_on: list[int] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    file_calls: list[str] = field(default_factory=list)
    """Stat-like file-system calls (os.path.exists, os.stat…) the learner's file made on the loop's thread."""
    sleeps: list[float] = field(default_factory=list)
    """Delays the learner's code passed to asyncio.sleep."""
    heartbeat: Heartbeat = field(default_factory=lambda: Heartbeat(0.005))

    @property
    def error(self) -> BaseException | None:
        return self.errors[0] if self.errors else None


class Upload:
    """A fake ``upload``: fails with the given exceptions in turn, then succeeds; logs each attempt."""

    def __init__(
        self, failures: list[BaseException] | None = None, forever: Callable[[int], BaseException] | None = None
    ) -> None:
        self.failures = list(failures or [])
        self.forever = forever
        """Makes the exception of attempt n, a new one each time, for an upload that never works."""
        self.attempts: list[float] = []
        self.raised: list[BaseException] = []
        self.digests: list[str] = []

    async def __call__(self, digest: str) -> None:
        self.attempts.append(time.perf_counter())
        if self.forever is not None:
            self.raised.append(self.forever(len(self.attempts)))
            raise self.raised[-1]
        if self.failures:
            raise self.failures.pop(0)
        self.digests.append(digest)


def make_file(tmp_path: Path, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 64)
    return path


def run(
    learner, paths: list[Path], uploads: list[Upload], *, retries: int = 3, backoff: float = 0.05, fast: bool = False
) -> Scene:
    """``process`` for each path at once, with every probe on; the :class:`Scene`.  With ``fast``, the wrapped
    ``digest`` skips the 0.2 s of work (for claims about something else: which thread, retries)."""
    module = learner.submission.module
    original_digest = learner.digest
    scene = Scene()

    def digest(data: bytes) -> str:
        scene.digested_on.append(threading.get_ident())
        return hashlib.sha256(data).hexdigest() if fast else original_digest(data)

    original_sleep = asyncio.sleep

    async def sleep(delay: float, result: Any = None) -> Any:
        if _called_by(learner):
            scene.sleeps.append(delay)
        return await original_sleep(delay, result)

    async def scenario() -> Scene:
        scene.loop_thread = threading.get_ident()
        scene.heartbeat.start()
        calls = [
            learner.process(str(p), u, retries=retries, backoff=backoff) for p, u in zip(paths, uploads, strict=True)
        ]
        with BlockingSpy(learner.submission, through_stdlib=True, file_system=True) as spy:
            results = await asyncio.gather(*calls, return_exceptions=True)
        scene.blocking = spy.calls
        scene.file_calls = spy.file_calls
        await original_sleep(0.02)  # one more tick after a stall
        await scene.heartbeat.stop()
        for result in results:
            failed = isinstance(result, BaseException)
            scene.errors.append(result if failed else None)
            scene.values.append(None if failed else result)
        return scene

    watches = [OpenWatch(str(p)) for p in paths]
    module.digest, asyncio.sleep = digest, sleep
    try:
        for watch in watches:
            watch.__enter__()
        outcome = learner.run(asyncio.run, scenario(), called=called(paths), deadline=GIVE_UP)
    finally:
        module.digest, asyncio.sleep = original_digest, original_sleep
        for watch in watches:
            watch.__exit__()
    learner.result(outcome)
    scene.opened_on = [t for w in watches for t in w.threads]
    for error in scene.errors:
        learner.implemented(error, called(paths))
    return scene


def _called_by(learner) -> bool:
    """Whether the learner's code is on the stack of the caller of the caller (a patched function's user)."""
    caller: FrameType | None = sys._getframe(2)
    while caller is not None:
        if learner.submission.owns(caller.f_code.co_filename):
            return True
        caller = caller.f_back
    return False


def called(paths: list[Path]) -> str:
    if len(paths) == 1:
        return "await process(path, upload)"
    return f"{len(paths)} × process(path, upload) at once"


def lateness(scene: Scene) -> list[str]:
    """The heartbeat as evidence, when it saw the loop stall at all (a wait on a future that was nearly done
    may not show)."""
    return [scene.heartbeat.describe()] if scene.heartbeat.worst >= 0.05 else []


def tally(lines: list[str]) -> list[str]:
    """Each distinct line once, with how many times it was seen."""
    seen: dict[str, int] = {}
    for line in lines:
        seen[line] = seen.get(line, 0) + 1
    return [line if n == 1 else f"{line} ({n} times)" for line, n in seen.items()]


def unexpected(scene: Scene, call: str) -> None:
    if scene.error is not None:
        raise failure(f"{call} raised {type(scene.error).__name__}: {short_repr(str(scene.error))}, unexpected here.")


# ---------------------------------------------------------------- task 1 · read and digest off the loop


@pytest.mark.task(1)
def test_process_returns_the_digest_and_uploads_it(learner, tmp_path):
    path, upload = make_file(tmp_path), Upload()
    scene = run(learner, [path], [upload])
    unexpected(scene, called([path]))
    expected = learner.digest(path.read_bytes())
    if scene.values != [expected] or upload.digests != [expected]:
        raise failure(
            f"process returned {short_repr(scene.values[0])} and uploaded {short_repr(upload.digests)}; expected "
            "the digest of the file's bytes, returned and uploaded once.",
            called=called([path]),
            contract="reads the file, computes digest(data), awaits upload(digest), returns the digest",
            idea=OFF_LOOP_IDEA,
        )


def expect_off_loop(scene: Scene, threads: list[int], what: str, idea: str) -> None:
    if not threads:
        raise failure(f"process never {what}.", called="await process(path, upload)", idea=idea)
    if scene.loop_thread in threads:
        raise failure(
            f"process {what} on the event loop's own thread: while it does, every other coroutine waits"
            + "".join(f" ({line})" for line in lateness(scene))
            + ".",
            called="await process(path, upload)",
            contract="nothing in process blocks the loop thread",
            idea=idea,
        )


@pytest.mark.task(1)
def test_the_file_is_read_off_the_loop(learner, tmp_path):
    path = make_file(tmp_path)
    scene = run(learner, [path], [Upload()], fast=True)
    unexpected(scene, called([path]))
    expect_off_loop(scene, scene.opened_on, "opened the file", "await asyncio.to_thread(read_the_file, path)")
    if scene.file_calls:
        raise failure(
            "process asked the file system about the file on the event loop's own thread: a stat (exists, size) "
            "waits on the disk like a read does (on a network file system, for long), and every other coroutine "
            "waits with it.",
            called=called([path]),
            contract="nothing in process blocks the loop thread: no file I/O",
            evidence=tally(scene.file_calls)[:3],
            idea="do every file-system call in the worker thread: one function that checks and reads, run with "
            "await asyncio.to_thread(...) (or let open() raise FileNotFoundError there)",
        )


@pytest.mark.task(1)
def test_the_digest_is_computed_off_the_loop(learner, tmp_path):
    path = make_file(tmp_path)
    scene = run(learner, [path], [Upload()])
    unexpected(scene, called([path]))
    expect_off_loop(scene, scene.digested_on, "computed digest(data)", "await asyncio.to_thread(digest, data)")


@pytest.mark.task(1)
def test_nothing_waits_on_a_thread_or_future_in_the_coroutine(learner, tmp_path):
    path = make_file(tmp_path)
    scene = run(learner, [path], [Upload()], fast=True)
    unexpected(scene, called([path]))
    waits = [call for call in scene.blocking if call.startswith(WAITS)]
    if waits:
        raise failure(
            "process waits on the event loop's thread: a thread or a future waited for with a blocking call stops "
            "the whole loop until it is done.",
            called=called([path]),
            contract="no waiting on a thread or a future in the coroutine",
            evidence=[*tally(waits)[:3], *lateness(scene)],
            idea="await the work instead: await asyncio.to_thread(...) or await loop.run_in_executor(...)",
        )


@pytest.mark.task(1)
def test_eight_calls_keep_the_loop_responsive(learner, tmp_path):
    paths = [make_file(tmp_path, f"upload{i}.bin") for i in range(8)]
    scene = run(learner, paths, [Upload() for _ in paths])
    unexpected(scene, called(paths))
    if scene.heartbeat.worst > LATE:
        raise failure(
            f"With eight process calls at once, the loop was blocked: {scene.heartbeat.describe()} (a correct "
            f"version stays well under {LATE:g} s even on a loaded machine).",
            called=called(paths),
            contract="while eight process calls run, nothing in process blocks the loop thread",
            evidence=tally(scene.blocking)[:3],
            idea=OFF_LOOP_IDEA,
        )


# ---------------------------------------------------------------- task 2 · retry with backoff


def expect_backoff(scene: Scene, upload: Upload, delays: list[float], what: str, call: str) -> None:
    gaps = [b - a for a, b in zip(upload.attempts, upload.attempts[1:], strict=False)]
    observed = scene.sleeps if scene.sleeps else gaps
    exact = bool(scene.sleeps)
    right = (
        len(observed) == len(delays) and all(abs(o - d) < 1e-9 for o, d in zip(observed, delays, strict=True))
        if exact
        else len(gaps) == len(delays) and all(d - 0.01 <= g <= d + 0.5 for g, d in zip(gaps, delays, strict=True))
    )
    if len(upload.attempts) != len(delays) + 1 or not right:
        raise failure(
            f"{what}: process made {len(upload.attempts)} attempt(s) and waited "
            f"{[round(x, 3) for x in observed]} s; expected {len(delays) + 1} attempts with a backoff of "
            f"{delays} s between them (backoff * 2**attempt, nothing after the last).",
            called=call,
            contract="waits backoff * 2**attempt between attempts, at most `retries` more times",
            evidence=[f"{'asyncio.sleep delays' if exact else 'time between attempts'}: {observed}"],
            idea=BACKOFF_IDEA,
        )


@pytest.mark.task(2)
def test_a_connection_error_is_retried_with_doubling_backoff(learner, tmp_path):
    path, upload = make_file(tmp_path), Upload([ConnectionError("down"), ConnectionError("still down")])
    call = "process(path, upload, retries=3, backoff=0.05) where upload fails twice with ConnectionError"
    scene = run(learner, [path], [upload], fast=True)
    unexpected(scene, call)
    expect_backoff(scene, upload, [0.05, 0.1], "upload failed twice, then worked", call)


@pytest.mark.task(2)
def test_the_last_error_is_raised_after_every_retry(learner, tmp_path):
    path, upload = make_file(tmp_path), Upload(forever=lambda n: ConnectionResetError(f"reset on attempt {n}"))
    call = "process(path, upload, retries=3, backoff=0.05) where upload always raises ConnectionResetError"
    scene = run(learner, [path], [upload], fast=True)
    if len(upload.attempts) == 1 and scene.error is upload.raised[0]:
        raise failure(
            "upload raised ConnectionResetError and process raised it at once, with no retry: ConnectionResetError "
            "is a subclass of ConnectionError, and the contract retries ConnectionError and its subclasses.",
            called=call,
            contract="if upload raises ConnectionError (or a subclass), wait and try again",
            evidence=[f"attempts: 1; raised {upload.raised[0]!r}"],
            idea="`except ConnectionError:` catches its subclasses too (ConnectionResetError, BrokenPipeError…); "
            "`type(error) is ConnectionError` does not",
        )
    expect_backoff(scene, upload, [0.05, 0.1, 0.2], "upload always failed", call)
    if scene.error is not upload.raised[-1]:
        got = f"raised {short_repr(scene.error)}" if scene.error else f"returned {short_repr(scene.values[0])}"
        raise failure(
            f"After the last of {len(upload.attempts)} attempts, process {got}: re-raise the last ConnectionError "
            f"({short_repr(upload.raised[-1])}), the same object.",
            called=call,
            contract="after the retries, the last error is re-raised at once",
            idea=BACKOFF_IDEA,
        )


NOT_RETRIED: tuple[tuple[BaseException, str], ...] = (
    (ValueError("bad digest"), ""),
    (TimeoutError("upload timed out"), " (an OSError, but not a ConnectionError)"),
    (PermissionError("upload refused"), " (an OSError, but not a ConnectionError)"),
)
"""Errors process must raise at once, and what they are."""


@pytest.mark.task(2)
def test_other_errors_are_not_retried(learner, tmp_path):
    for error, kind in NOT_RETRIED:
        name = type(error).__name__
        path, upload = make_file(tmp_path), Upload(forever=lambda n, error=error: error)
        call = f"process(path, upload) where upload raises {name}"
        scene = run(learner, [path], [upload], fast=True)
        if scene.error is not error or len(upload.attempts) != 1:
            raise failure(
                f"upload raised {name}{kind}, and process made {len(upload.attempts)} attempt(s) then "
                f"{'raised ' + type(scene.error).__name__ if scene.error else 'returned'}: only ConnectionError (and "
                "its subclasses) is retried; any other exception is raised at once.",
                called=call,
                contract="any other exception is raised at once",
                idea="except ConnectionError: (not except OSError: or except Exception:; TimeoutError and "
                "PermissionError are OSErrors, not ConnectionErrors)",
            )


@pytest.mark.task(2)
def test_the_backoff_never_blocks_the_loop(learner, tmp_path):
    path, upload = make_file(tmp_path), Upload([ConnectionError("down")])
    call = "process(path, upload, backoff=0.05) where upload fails once"
    scene = run(learner, [path], [upload], fast=True)
    unexpected(scene, call)
    sleeps = [c for c in scene.blocking if "time.sleep" in c]
    if sleeps:
        raise failure(
            "process waited for its backoff with time.sleep on the event loop's thread: the whole loop sleeps with it.",
            called=call,
            contract="waits without blocking the loop",
            evidence=[*tally(sleeps)[:2], *lateness(scene)],
            idea="await asyncio.sleep(delay)",
        )
