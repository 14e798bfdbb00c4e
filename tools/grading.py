"""Grade one kata in a process of its own, under the kata's time budget, and read its verdicts.

The grading process is pytest running the kata's grader with the results plugin; this module never
imports the learner's code.  Whatever the submission does (hang, crash, ``os._exit``, print), the
process ends by the budget, and the verdict comes from the JSON records it left, never from its
output: a kata passes only when every collected claim reported "passed" and the session finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graders import PYTEST_OPTIONS
from graders.manifest import ROOT, Kata
from tools import containment, integrity
from tools.integrity import Snapshot

OUTPUT_TAIL = 2000
"""Characters of the grading process's own output kept for the report when it ends abnormally."""
WATCH_EVERY = 0.5
"""Seconds between two looks at the grading's memory and processes."""


@dataclass
class Claim:
    id: str
    name: str
    task: int | None
    status: str
    """``passed``, ``failed`` (the submission's fault), ``error`` (the grader's) or ``not run``."""
    message: str = ""
    duration: float = 0.0


@dataclass
class KataResult:
    number: int
    slug: str
    title: str
    points: int
    submission: str
    status: str
    """``passed``, ``failed`` or ``not built``."""
    claims: list[Claim] = field(default_factory=list)
    duration: float = 0.0
    reason: str = ""
    """Why the grading process ended abnormally, if it did (budget, crash, early exit)."""
    end: str = "finished"
    """How the grading process ended: ``finished``, ``budget`` (stopped at the kata's budget), ``early`` (it
    ended before every claim ran: the submission ended the interpreter), ``limit`` (stopped for using too much
    memory or too many processes), ``forged`` (records the grader did not write were found), ``tampered`` (the
    submission edited the grader's files), ``stopped`` (the grader was interrupted, e.g. Ctrl-C) or ``none`` (no
    process: the kata is not built or the file is missing)."""
    regraded: bool = False
    """Set by :mod:`tools.runner` when a failure seen under parallel grading was graded again alone."""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def claims_passed(self) -> int:
        return sum(c.status == "passed" for c in self.claims)

    @property
    def score(self) -> int:
        return self.points if self.passed else 0

    def first_failure(self) -> Claim | None:
        return next((c for c in self.claims if c.status != "passed"), None)

    def to_json(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "claims"},
            "score": self.score,
            "claims_passed": self.claims_passed,
            "claims_total": len(self.claims),
            "claims": [asdict(c) for c in self.claims],
        }


def grade(
    kata: Kata,
    submission: Path | None = None,
    *,
    budget: float | None = None,
    mark: str | None = None,
    only: Sequence[str] = (),
) -> KataResult:
    """Grade ``submission`` (default: the learner's file for ``kata``) in a fresh process.

    ``mark`` (default: a new one) is put in the environment of every process the grading starts.  ``only``
    names claims (``test_…``) to run instead of all of them: the project's own tests use it to check that a
    mutant fails the claim meant for it; a verdict on a submission always runs every claim.
    """
    path = (submission or kata.stub).resolve()
    shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    result = KataResult(kata.number, kata.slug, kata.title, kata.points, shown, "failed")
    if not kata.built:
        result.status, result.reason, result.end = "not built", kata.not_built_reason(), "none"
        return result
    if not path.is_file():
        result.reason, result.end = f"{shown} does not exist.", "none"
        return result
    limit = budget if budget is not None else kata.budget
    before, mark = Snapshot.take() if integrity.watching else None, mark or containment.new_mark()
    with tempfile.TemporaryDirectory(prefix=f"kata{kata.number}-") as scratch:
        records_path, output_path = Path(scratch, "results.jsonl"), Path(scratch, "output.txt")
        records_path.touch()  # so that a missing file means a deleted one
        targets = [f"{kata.grader}::{name}" for name in only] or [str(kata.grader)]
        command = [sys.executable, "-m", "pytest", *targets, "-q", *PYTEST_OPTIONS, *_pinned_configuration()]
        token, (token_read, token_write) = secrets.token_hex(16), os.pipe()
        command += ["--results-json", str(records_path), "--results-token-fd", str(token_read)]
        command += ["--submission", str(path)]
        start = time.monotonic()
        with output_path.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                pass_fds=(token_read,),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", containment.MARK: mark},
            )
            with _running_lock:
                _running.add(process)
            os.close(token_read)
            containment.limit(process.pid)  # before the token: the grader reads it before any learner code runs
            with contextlib.suppress(OSError):
                os.write(token_write, token.encode())
            os.close(token_write)
            try:
                exit_status, excess = _watch(process, start + limit)
            finally:  # also on KeyboardInterrupt: never leave a grading process (and the learner's children) behind
                with _running_lock:
                    _running.discard(process)
                    stopped = process in _stopped
                    _stopped.discard(process)
                _kill_group(process)
                containment.sweep(mark)
        result.duration = round(time.monotonic() - start, 2)
        records, forged = _read_records(records_path, token)
        tail = output_path.read_bytes()[-OUTPUT_TAIL:].decode(errors="replace")
    _judge(result, records, exit_status, limit, tail, excess)
    if before is not None and (changed := before.changes(after := Snapshot.take())):
        if integrity.restoring:
            before.restore(after)
        undone = "they have been put back" if integrity.restoring else f"left as they are: {integrity.KEEP_EDITS}=1"
        result.status, result.end = "failed", "tampered"
        result.reason = (
            f"the submission changed files the grading depends on, so this kata cannot pass ({undone}): "
            + ", ".join(changed)
        )
    if forged:
        result.status, result.end = "failed", "forged"
        result.reason = (
            "something other than the grader wrote into the grading records or deleted them (the submission "
            "tampered with them), so this kata cannot pass: a kata passes only on the grader's own verdicts"
        )
    if stopped and not result.passed:
        result.end, result.reason = "stopped", "grading was interrupted before it finished"
    return result


_running: set[subprocess.Popen[bytes]] = set()
_stopped: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()


def stop_all() -> None:
    """Kill every grading process still running (from any thread): what Ctrl-C does to a board of many."""
    with _running_lock:
        for process in _running:
            _stopped.add(process)
            if process.returncode is None:  # not reaped yet, so its process group id is still its own
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def _pinned_configuration() -> list[str]:
    """Options that stop pytest looking for configuration or conftest files a submission could add."""
    return ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "--confcutdir", str(ROOT / "graders")]


def _watch(process: subprocess.Popen[bytes], deadline: float) -> tuple[int | None, str | None]:
    """Wait for the grading process until ``deadline``: its exit status (None if still running), and why it
    must be stopped early if it went over a limit."""
    while (left := deadline - time.monotonic()) > 0:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return process.wait(timeout=min(WATCH_EVERY, left)), None
        if excess := containment.usage(process.pid).excess():
            return None, excess
    return None, None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the grading process and everything it started (the learner's children included)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _read_records(path: Path, token: str) -> tuple[list[dict[str, Any]], bool]:
    """The grader's records, and whether the file was tampered with: anything else found in it, or deleted."""
    records, forged = [], not path.exists()
    if not forged:
        text = path.read_text(errors="replace")
        lines = text.splitlines()
        if lines and not text.endswith("\n"):
            lines.pop()  # a record cut short when the process was killed mid-write: not a forgery
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                forged = True
                continue
            if _well_formed(record) and record.get("token") == token:
                records.append(record)
            else:
                forged = True
    return records, forged


def _well_formed(record: Any) -> bool:
    """A record of the shape graders.harness.results writes (so that judging it cannot crash the board)."""
    if not isinstance(record, dict):
        return False
    event = record.get("event")
    if event == "collected":
        claims = record.get("claims")
        return isinstance(claims, list) and all(
            isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("name"), str) for c in claims
        )
    if event == "start":
        return isinstance(record.get("id"), str)
    if event == "claim":
        return isinstance(record.get("id"), str) and record.get("status") in ("passed", "failed", "error", "skipped")
    return event == "finished"


def _judge(
    result: KataResult,
    records: list[dict[str, Any]],
    exit_status: int | None,
    limit: float,
    tail: str,
    excess: str | None = None,
) -> None:
    collected = next((r["claims"] for r in records if r.get("event") == "collected"), None)
    verdicts = {r["id"]: r for r in records if r.get("event") == "claim"}
    started = [r["id"] for r in records if r.get("event") == "start"]
    finished = any(r.get("event") == "finished" for r in records)
    stopped_by_grader = next((str(r.get("stopped") or "") for r in records if r.get("event") == "finished"), "")
    if excess:
        result.end, result.reason = "limit", f"grading was stopped because {excess}"
    elif exit_status is None:
        result.end = "budget"
        result.reason = f"grading ran past the kata's budget of {limit:g} s and was stopped"
    elif not finished:
        result.end = "early"
        how = containment.signal_reason(-exit_status) if exit_status < 0 else f"exit status {exit_status}"
        if exit_status in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
            result.reason = (
                f"the grading process crashed ({how}) before every claim ran: C code failed, the submission's "
                "(ctypes, an extension) or, if your code has none, the grader's: please report it with your file"
            )
        else:
            result.reason = (
                f"the grading process ended early ({how}) before every claim ran: the submission ended the "
                "interpreter (os._exit, a signal) instead of returning"
            )
    if collected is None:
        result.reason = result.reason or "the grader collected no claims"
        result.reason += f"\n{tail.strip()}" if tail.strip() else ""
        return
    for claim in collected:
        verdict = verdicts.get(claim["id"])
        if verdict is not None:
            result.claims.append(
                Claim(
                    claim["id"],
                    claim["name"],
                    claim.get("task"),
                    verdict["status"],
                    verdict.get("message", ""),
                    verdict.get("duration", 0.0),
                )
            )
        else:
            interrupted = claim["id"] in started
            message = (
                f"this claim was running when {result.reason}"
                if interrupted and result.reason
                else "not run: " + (result.reason or stopped_by_grader or "the grading process stopped")
            )
            result.claims.append(Claim(claim["id"], claim["name"], claim.get("task"), "not run", message))
    every_claim_passed = bool(result.claims) and all(c.status == "passed" for c in result.claims)
    result.status = "passed" if every_claim_passed and finished and exit_status == 0 else "failed"
