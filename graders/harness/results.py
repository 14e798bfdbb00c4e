"""A pytest plugin that writes each claim's verdict as JSON lines, for the scoreboard to read.

Records, one per line, written as they happen (so a grading process killed at its budget still
leaves the claims it finished, and the one it was in):

    {"event": "collected", "claims": [{"id", "name", "task", "kata"}, ...]}
    {"event": "start", "id": ...}
    {"event": "claim", "id", "name", "task", "kata", "status", "message", "duration"}
    {"event": "finished", "exitstatus": 0, "stopped": why the session stopped early, or ""}

``status`` is ``passed``, ``failed`` (the claim does not hold: the learner's), ``error`` (the grader
itself broke: the project's) or ``skipped``.

With ``--results-token-fd N`` the grading tool passes a secret through a pipe (file descriptor N) that
every record carries; it is read and the pipe closed before any learner code is imported, so a
submission that writes records of its own into the file cannot make them count.  A claim that ends
with the standard library's concurrency modules or the harness patched fails, and the session stops
(``guard.py``).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from . import guard
from .messages import ClaimFailed

OPTION = "--results-json"
TOKEN_OPTION = "--results-token-fd"


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, metavar="PATH", help="append each claim's verdict to PATH as JSON lines")
    parser.addoption(TOKEN_OPTION, type=int, metavar="N", help="read a secret for every record from file descriptor N")


def read_token(fd: int) -> str:
    """All that the grading tool wrote into the pipe ``fd``; the pipe is closed afterwards."""
    data = b""
    try:
        while chunk := os.read(fd, 64):
            data += chunk
    finally:
        os.close(fd)
    return data.decode(errors="replace").strip()


def claim_of(item: pytest.Item) -> dict[str, Any]:
    marker = item.get_closest_marker("task")
    kata = re.match(r"test_kata(\d+)_", item.path.name)
    return {
        "id": item.nodeid,
        "name": item.name,
        "task": int(marker.args[0]) if marker and marker.args else None,
        "kata": int(kata.group(1)) if kata else None,
    }


class ResultsWriter:
    """Registered by the graders' conftest when ``--results-json`` is given."""

    def __init__(self, path: str, token: str = "") -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._token = token
        self._claims: dict[str, dict[str, Any]] = {}
        self._verdicts: dict[str, dict[str, Any]] = {}
        self._guard: guard.Snapshot | None = None
        self._session: pytest.Session | None = None
        # Bound now: the submission may rebind this module's names.
        self._replaced_message, self._failure, self._skip_reason = _replaced_message, _failure, _skip_reason

    def _write(self, record: dict[str, Any]) -> None:
        os.write(self._fd, (json.dumps({**record, "token": self._token}) + "\n").encode())

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._claims = {item.nodeid: claim_of(item) for item in session.items}
        self._write({"event": "collected", "claims": list(self._claims.values())})
        self._guard, self._session = guard.Snapshot.take(), session  # before any claim imports the submission

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._write({"event": "start", "id": nodeid})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        verdict = self._verdicts.setdefault(
            report.nodeid, {**self._claims.get(report.nodeid, {"id": report.nodeid}), "duration": 0.0}
        )
        verdict["duration"] += report.duration
        if verdict.get("status") in ("failed", "error"):
            return
        if report.failed:
            verdict["status"], verdict["message"] = self._failure(report)
        elif report.skipped:
            verdict["status"], verdict["message"] = "skipped", self._skip_reason(report)
        elif report.when == "call":
            verdict["status"], verdict["message"] = "passed", ""

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        verdict = self._verdicts.pop(nodeid, None)
        if verdict is not None:
            verdict["duration"] = round(verdict["duration"], 3)
            if self._guard is not None and (replaced := self._guard.replaced()):
                verdict["status"], verdict["message"] = "failed", self._replaced_message(replaced)
                if self._session is not None:  # later claims would run on the patched modules: stop here
                    self._session.shouldstop = "grading stopped once the submission patched what it relies on"
            self._write({"event": "claim", **verdict})

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._write({"event": "finished", "exitstatus": int(exitstatus), "stopped": str(session.shouldstop or "")})


def _replaced_message(names: list[str]) -> str:
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return (
        f"the submission replaced {shown}: grading measures your code with the standard library and the grader "
        "as they are, so no claim can pass once they are patched. Remove the code that reassigns them."
    )


def _failure(report: pytest.TestReport) -> tuple[str, str]:
    """("failed", message) for a claim that does not hold; ("error", ...) when the grader broke."""
    learner_fault = getattr(report, "claim_failed", False)
    text = str(report.longrepr) if report.longrepr else ""
    return ("failed" if learner_fault else "error"), text if learner_fault else _last_lines(text)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)


def _last_lines(text: str, count: int = 12) -> str:
    return "grader error (please report it):\n" + "\n".join(text.strip().splitlines()[-count:])


def mark_claim_failed(report: pytest.TestReport, excinfo: pytest.ExceptionInfo[BaseException] | None) -> None:
    """Show a :class:`ClaimFailed` as its message alone, and remember it was the learner's fault."""
    if excinfo is not None and isinstance(excinfo.value, ClaimFailed) and report.failed:
        report.longrepr = str(excinfo.value)
        report.claim_failed = True  # type: ignore[attr-defined]
