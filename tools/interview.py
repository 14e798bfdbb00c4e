"""Interview mode: a timed session on one kata, and a Markdown report for the interviewer.

The candidate edits a fresh copy of the kata's stub in the session directory (the learner's own file in katas/ is
never touched). The copy is of ``katas/kataNN_<topic>.py``, or of ``stub`` when given: run interviews from a fresh
clone, where katas/ holds the untouched stubs (:func:`looks_worked_on` warns when it does not).

Every grading grades a snapshot of that file taken at the moment it was asked for (a save, or Enter), in the
background, so the countdown keeps running. At time-up the file is frozen: the snapshot taken at that instant is
graded last, and later saves are ignored. The report says which kata, the time used, the claims passed over time,
the hints taken, and the final claims with their messages; the snapshots stay beside it.
"""

from __future__ import annotations

import ast
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graders.manifest import Kata
from tools import board, document, hints, watch
from tools.grading import KataResult, grade

Grader = Callable[[Kata, Path], KataResult]


@dataclass
class Attempt:
    """One grading of a snapshot of the candidate's file."""

    number: int
    at: float
    """Seconds since the session started when the snapshot was taken."""
    trigger: str
    """``saved``, ``asked`` or ``time up`` / ``finished`` (the final one)."""
    snapshot: Path
    result: KataResult | None = None


@dataclass
class HintTaken:
    at: float
    task: int | None
    hint: hints.Hint


@dataclass
class Interview:
    """The session's state; :func:`run` drives it from the keyboard and a clock."""

    kata: Kata
    directory: Path
    minutes: float
    chosen: str = ""
    """How the kata was chosen, for the report (``--kata 54`` or ``at random, seed 7``)."""
    stub: Path | None = None
    """The file the candidate starts from (default: the kata's file in katas/)."""
    grader: Grader | None = None
    clock: Callable[[], float] = time.monotonic
    attempts: list[Attempt] = field(default_factory=list)
    hints_taken: list[HintTaken] = field(default_factory=list)
    ended: str = ""
    """Empty while the session runs; then ``time up`` or ``finished early``."""

    def __post_init__(self) -> None:
        self.file = self.directory / f"{self.kata.name}.py"
        self.snapshots = self.directory / "attempts"
        self.started_at = datetime.now()
        self._start = self.clock()
        self._end_at: float | None = None
        self._seen: watch.Signature = None
        self._queue: queue.Queue[Attempt | None] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.on_graded: Callable[[Attempt], None] | None = None

    # the session
    def start(self) -> None:
        """Copy the stub into the session directory and start the clock and the background grader."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.file.exists():
            shutil.copyfile(self.stub or self.kata.stub, self.file)
        self._seen = watch.signature(self.file)
        self._start = self.clock()
        self._worker = threading.Thread(target=self._grade_in_turn, name="interview-grader", daemon=True)
        self._worker.start()

    def elapsed(self) -> float:
        return (self._end_at if self._end_at is not None else self.clock()) - self._start

    def remaining(self) -> float:
        return max(0.0, self.minutes * 60 - self.elapsed())

    def tick(self) -> bool:
        """One look at the clock and the file: queue a save for grading. False at time-up (then call finish)."""
        if self.ended or self.remaining() <= 0:
            return False
        now = watch.signature(self.file)
        if now is not None and now != self._seen:
            self._seen = now
            self.request("saved")
        return True

    def request(self, trigger: str = "asked") -> Attempt | None:
        """Snapshot the file now and queue it for grading (nothing once the session is over)."""
        if self.ended:
            return None
        return self._snapshot(trigger)

    def settle(self) -> None:
        """Wait until every grading asked for so far is done."""
        self._queue.join()

    def take_hint(self) -> HintTaken | None:
        """The next layer of hints for the task of the latest first failing claim (task 1 before any grading)."""
        with self._lock:
            latest = next((a.result for a in reversed(self.attempts) if a.result is not None), None)
        claim = latest.first_failure() if latest is not None else None
        if latest is not None and claim is None:
            return None  # every claim passes: nothing to hint at
        task = claim.task if claim is not None else 1
        layers = hints.layers(self.kata.number, task)
        taken = sum(h.task == task for h in self.hints_taken)
        if not layers or taken >= len(layers):
            return None
        hint = HintTaken(round(self.elapsed(), 1), task, layers[taken])
        self.hints_taken.append(hint)
        return hint

    def finish(self, how: str = "finished early") -> Attempt:
        """Freeze the file as it is now, grade that last snapshot, and wait for every grading to end."""
        if self.ended:
            return self.attempts[-1]
        self._end_at = min(self.clock(), self._start + self.minutes * 60)  # time-up is the deadline itself
        final = self._snapshot(how)
        self.ended = how
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join()
        return final

    def _snapshot(self, trigger: str) -> Attempt:
        with self._lock:
            number = len(self.attempts) + 1
            self.snapshots.mkdir(parents=True, exist_ok=True)
            name = "final.py" if trigger in ("time up", "finished early") else f"attempt-{number:02d}.py"
            path = self.snapshots / name
            if self.file.exists():
                shutil.copyfile(self.file, path)
            else:
                path.write_text("", encoding="utf-8")
            attempt = Attempt(number, round(self.elapsed(), 1), trigger, path)
            self.attempts.append(attempt)
        self._queue.put(attempt)
        return attempt

    def _grade_in_turn(self) -> None:
        grader = self.grader or (lambda kata, path: grade(kata, path))
        while True:
            attempt = self._queue.get()
            try:
                if attempt is None:  # finish() queues it after the final snapshot
                    return
                attempt.result = grader(self.kata, attempt.snapshot)
                if self.on_graded is not None:
                    self.on_graded(attempt)
            finally:
                self._queue.task_done()

    # the report
    def report(self) -> str:
        """The interviewer's report, in Markdown."""
        graded = [a for a in self.attempts if a.result is not None]
        final = graded[-1] if graded and graded[-1].trigger in ("time up", "finished early") else None
        first_pass = next((a for a in graded if a.result and a.result.passed), None)
        used = min(self.elapsed(), self.minutes * 60)
        lines = [
            f"# Interview report · kata {self.kata.number} · {self.kata.title}",
            "",
            "| | |",
            "|---|---|",
            f"| Kata | {self.kata.number} · {self.kata.title} (Item {self.kata.number}: {self.kata.item}) |",
            f"| Chosen | {self.chosen or f'--kata {self.kata.number}'} |",
            f"| Started from | `{self.stub or self.kata.stub}` |",
            f"| Started | {self.started_at:%Y-%m-%d %H:%M:%S} |",
            f"| Time allowed | {_clock(self.minutes * 60)} |",
            f"| Time used | {_clock(used)} ({self.ended or 'still running'}) |",
            f"| Final result | {_verdict(final.result) if final and final.result else 'not graded'} |",
            f"| First full pass | {_first_pass(first_pass)} |",
            f"| Gradings | {len(graded)} |",
            f"| Hints taken | {len(self.hints_taken)} |",
            "",
            "## Claims passed over time",
            "",
            "| time | attempt | how | claims passed | tasks fully passed |",
            "|---|---|---|---|---|",
        ]
        for attempt in graded:
            result = attempt.result
            assert result is not None
            tasks = _tasks_passed(result)
            lines.append(
                f"| {_clock(attempt.at)} | {attempt.number} | {attempt.trigger} "
                f"| {result.claims_passed}/{len(result.claims)} {_bar(result)} | {tasks or '—'} |"
            )
        lines += ["", "## Hints taken", ""]
        if self.hints_taken:
            lines += ["| time | task | layer | hint |", "|---|---|---|---|"]
            for taken in self.hints_taken:
                text = taken.hint.text.replace("|", "\\|")
                lines.append(f"| {_clock(taken.at)} | {taken.task} | {taken.hint.kind} | {text} |")
        else:
            lines.append("None.")
        if final is not None and final.result is not None:
            lines += ["", "## Final claims", "", "| | claim | task |", "|---|---|---|"]
            for claim in final.result.claims:
                mark = board.MARKS.get(claim.status, "?")
                lines.append(f"| {mark} | {claim.name} | {claim.task if claim.task is not None else ''} |")
            failing = [c for c in final.result.claims if c.status != "passed"]
            if failing or final.result.reason:
                lines += ["", "## Final messages", ""]
                if final.result.reason:
                    lines += [f"Grading: {final.result.reason.splitlines()[0]}", ""]
                for claim in failing:
                    lines += [f"### ✗ {claim.name} (task {claim.task})", "", _fence(claim.message or claim.status), ""]
        lines += [
            "",
            "## Files",
            "",
            f"- The candidate's file: `{self.file}`",
            f"- The snapshot graded at each attempt: `{self.snapshots}/` (`final.py` is the frozen file)",
        ]
        return "\n".join(lines).rstrip("\n") + "\n"

    def write_report(self) -> Path:
        path = self.directory / "report.md"
        path.write_text(self.report(), encoding="utf-8")
        return path

    def entry(self, attempt: Attempt) -> dict[str, Any]:
        """The board entry of an attempt, for the candidate's screen (hints only when taken)."""
        assert attempt.result is not None
        return document.kata_entry(attempt.result)


def looks_worked_on(path: Path) -> bool:
    """Whether a kata file has no ``raise NotImplementedError`` left: then it is no stub to start an interview from."""
    return "raise NotImplementedError" not in path.read_text(encoding="utf-8")


def task_text(kata: Kata) -> str:
    """The task as the candidate reads it: the stub's module docstring."""
    return ast.get_docstring(ast.parse(kata.stub.read_text(encoding="utf-8"))) or kata.title


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _first_pass(attempt: Attempt | None) -> str:
    return f"{_clock(attempt.at)} (attempt {attempt.number})" if attempt is not None else "none"


def _verdict(result: KataResult) -> str:
    mark = "✓ passed" if result.passed else "✗ failed"
    return f"{mark}, {result.claims_passed}/{len(result.claims)} claims"


def _tasks_passed(result: KataResult) -> str:
    tasks = sorted({c.task for c in result.claims if c.task is not None})
    return ", ".join(str(t) for t in tasks if all(c.status == "passed" for c in result.claims if c.task == t))


def _bar(result: KataResult, width: int = 10) -> str:
    total = len(result.claims)
    filled = round(width * result.claims_passed / total) if total else 0
    return f"`{'█' * filled}{'░' * (width - filled)}`"


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"
