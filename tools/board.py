"""The text board: when to use colour, one block per kata, the totals and what to do next, the live progress line.

Everything here renders the results document of :mod:`tools.document`; nothing grades.

Colour: off when ``NO_COLOR`` is set (non-empty), else on when ``FORCE_COLOR`` is set (non-empty), else on only
when the stream is a terminal and ``TERM`` is not ``dumb``. ``NO_COLOR`` wins over ``FORCE_COLOR``, as in
CPython 3.13. The progress line is drawn only on a terminal, whatever the colour.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from graders.manifest import Kata

TITLE_WIDTH = 38
WRAP = 100
MARKS = {"passed": "✓", "failed": "✗", "error": "✗", "not run": "·", "skipped": "-", "not built": "·"}


def use_color(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream`` (see the module docstring for the rules)."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@dataclass(frozen=True)
class Style:
    """ANSI colours, or plain text when ``color`` is False."""

    color: bool = False

    def paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def good(self, text: str) -> str:
        return self.paint("32", text)

    def bad(self, text: str) -> str:
        return self.paint("31", text)

    def hint(self, text: str) -> str:
        return self.paint("33", text)

    def dim(self, text: str) -> str:
        return self.paint("2", text)

    def bold(self, text: str) -> str:
        return self.paint("1", text)

    def mark(self, status: str) -> str:
        symbol = MARKS.get(status, "?")
        if status == "passed":
            return self.good(symbol)
        if status in ("failed", "error"):
            return self.bad(symbol)
        return self.dim(symbol)


def not_started(entry: dict[str, Any]) -> bool:
    """Whether every claim of a kata fails because nothing is implemented yet (the untouched stub)."""
    claims = entry["claims"]
    return bool(claims) and all(c["status"] != "passed" and "not implemented yet" in c["message"] for c in claims)


def kata_lines(entry: dict[str, Any], style: Style, *, verbose: bool = False, brief: bool = False) -> list[str]:
    """The block of one kata: its line, then (failing) the first failing claim, its evidence and hints.

    ``brief``: a kata not started yet is one line (the board details only the first of those, the next kata).
    """
    head = f"{entry['number']} {entry['title']:<{TITLE_WIDTH}}"
    if entry["status"] == "not built":
        return [f"{style.mark('not built')} {head} {style.dim('not built yet')}"]
    claims = f"{entry['claims_passed']}/{entry['claims_total']} claims"
    points = f"{entry['score']}/{entry['points']} pts"
    line = f"{style.mark(entry['status'])} {head} {claims:>12}  {points:>9}  {entry['duration']:5.1f} s"
    if entry.get("regraded"):
        line += style.dim("  (graded again alone)")
    if brief and not verbose and not_started(entry):
        return [line + style.dim("  not started")]
    lines = [line]
    if verbose:
        lines += _every_claim(entry, style)
    else:
        failing = next((c for c in entry["claims"] if c["status"] != "passed"), None)
        if failing is not None:
            lines += _claim(failing, style, _task_label(entry, failing["task"]), indent=4)
    if entry["reason"] and entry["status"] != "passed":
        lines.append(style.dim(f"    ({entry['reason'].splitlines()[0]})"))
    lines += hint_lines(entry.get("hint"), style, indent=4)
    return lines


def hint_lines(hint: dict[str, Any] | None, style: Style, *, indent: int) -> list[str]:
    """The hints revealed for a kata's first failing claim, and how to get the next one."""
    if not hint:
        return []
    pad = " " * indent
    lines = []
    for shown in hint["shown"]:
        label = f"Hint {shown['layer']}/{hint['layers']}" + (" (docs)" if shown["kind"] == "docs" else "") + ":"
        wrapped = textwrap.wrap(shown["text"], max(40, WRAP - indent - len(label) - 1)) or [""]
        lines.append(f"{pad}{style.hint(label)} {wrapped[0]}")
        lines += [f"{pad}{' ' * (len(label) + 1)}{rest}" for rest in wrapped[1:]]
    return lines


def _task_label(entry: dict[str, Any], task: int | None) -> str:
    if task is None:
        return ""
    title = next((t["title"] for t in entry.get("tasks", []) if t["number"] == task), "")
    return f"task {task}" + (f" · {title}" if title else "")


def _claim(claim: dict[str, Any], style: Style, label: str, *, indent: int) -> list[str]:
    """A claim's line and, unless it passed, the harness's message under it."""
    pad = " " * indent
    line = f"{pad}{style.mark(claim['status'])} {claim['name']}"
    if label:
        line += style.dim(f"  ({label})")
    if claim["status"] == "passed":
        return [line + style.dim(f"  {claim['duration']:.2f} s")]
    message = claim["message"] or claim["status"]
    return [line, *(f"{pad}  {text}" for text in message.splitlines())]


def _every_claim(entry: dict[str, Any], style: Style) -> list[str]:
    """``--verbose``: every claim, under the task it grades."""
    lines = []
    groups = [(t["number"], t["title"]) for t in entry["tasks"]]
    if any(c["task"] is None for c in entry["claims"]):
        groups.append((None, ""))
    for number, title in groups:
        claims = [c for c in entry["claims"] if c["task"] == number]
        if not claims:
            continue
        passed = sum(c["status"] == "passed" for c in claims)
        heading = f"Task {number}" + (f" · {title}" if title else "") if number is not None else "Other claims"
        lines.append(f"    {style.bold(heading)}  {style.dim(f'{passed}/{len(claims)}')}")
        for claim in claims:
            lines += _claim(claim, style, "", indent=6)
    return lines


def summary_lines(document: dict[str, Any], style: Style, *, remembered: bool = True) -> list[str]:
    """The totals, the katas not built yet, and the next kata to work on.

    ``remembered``: whether hints advance with each change of the file (the learner's own files), or only
    ``--hint`` reveals more (anyone else's file).
    """
    took = f"{document['duration']:.1f} s" + (f" with --jobs {document['jobs']}" if document["jobs"] > 1 else "")
    counts = f"{document['katas_passed']}/{document['katas_graded']} katas passed"
    lines = ["", f"{style.bold(counts)} · {document['score']}/{document['max_score']} points · {took}"]
    if document["not_built"]:
        numbers = ", ".join(str(n) for n in document["not_built"])
        lines.append(style.dim(f"Not built yet: {numbers} (they arrive in a later release)."))
    if any(k.get("hint") and k["hint"]["layer"] < k["hint"]["layers"] for k in document["katas"]):
        how = "change your file and grade again for the next one, or add --hint" if remembered else "add --hint"
        lines.append(style.dim(f"More hints: {how}."))
    step = document["next"]
    if step is not None:
        lines.append(f"{style.bold('Next kata:')} {step['number']} · {step['title']}")
        lines.append(f"Edit {step['file']} and run `{step['command']}`.")
    elif document["katas_graded"]:
        lines.append(style.good("Every kata graded passes."))
    return lines


def render(document: dict[str, Any], style: Style, *, verbose: bool = False) -> str:
    """The whole board as text (what the live board prints, in one piece)."""
    lines, failed = [], False
    for entry in document["katas"]:
        lines += kata_lines(entry, style, verbose=verbose, brief=failed)
        failed = failed or entry["status"] == "failed"
    return "\n".join([*lines, *summary_lines(document, style)]) + "\n"


def list_lines(katas: Iterable[Kata], style: Style) -> list[str]:
    """``--list``: every kata of the manifest, its item, and whether it is built."""
    lines = []
    for entry in katas:
        state = "" if entry.built else style.dim("  (not built yet)")
        lines.append(f"{style.bold(str(entry.number))} {entry.title}{state}")
        lines.append(f"   Item {entry.number}: {entry.item}")
        where = f"katas/{entry.name}.py · {len(entry.tasks)} tasks" if entry.tasks else f"katas/{entry.name}.py"
        lines.append(style.dim(f"   {where} · {entry.points} points · budget {entry.budget:g} s"))
    return lines


def progress_line(done: int, total: int, running: Iterable[str], elapsed: float, *, width: int = 20) -> str:
    """``[#####-----] 4/10 · grading 55, 56 · 12.3 s``: where a board stands while katas grade."""
    filled = round(width * done / total) if total else width
    line = f"[{'█' * filled}{'░' * (width - filled)}] {done}/{total}"
    now = ", ".join(running)
    if now:
        line += f" · grading {now}"
    return f"{line} · {elapsed:.1f} s"


class LiveBoard:
    """Prints each entry's block as soon as it and every entry before it are graded, under a progress line.

    ``labels`` name the entries in the progress line (kata numbers, students); ``render`` turns a finished entry
    into its lines (default: :func:`kata_lines`). The progress line (a terminal only) is redrawn in place every
    ``tick`` seconds; blocks scroll above it. ``started``/``finished`` may be called from any thread.
    """

    def __init__(
        self,
        stream: TextIO,
        style: Style,
        labels: list[str],
        *,
        verbose: bool = False,
        render: Callable[[dict[str, Any]], list[str]] | None = None,
        progress: bool | None = None,
        tick: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.style, self.labels = stream, style, labels
        self._failed = False  # a failing kata was printed: later katas not started yet take one line

        def block(entry: dict[str, Any]) -> list[str]:
            lines = kata_lines(entry, style, verbose=verbose, brief=self._failed)
            self._failed = self._failed or entry["status"] == "failed"
            return lines

        self.render = render or block
        self.progress = is_terminal(stream) if progress is None else progress
        self.tick, self.clock = tick, clock
        self._lock = threading.Lock()
        self._ready: dict[int, dict[str, Any]] = {}
        self._next = 0
        self._done = 0
        self._running: dict[str, None] = {}
        self._start = clock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> LiveBoard:
        if self.progress and self.labels:
            self._draw()
            self._ticker = threading.Thread(target=self._tick, name="board-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear()
            self.stream.flush()

    def started(self, index: int) -> None:
        with self._lock:
            self._running[self.labels[index]] = None
            self._redraw()

    def finished(self, index: int, entry: dict[str, Any]) -> None:
        with self._lock:
            self._running.pop(self.labels[index], None)
            self._done += 1
            self._ready[index] = entry
            self._clear()
            while self._next in self._ready:
                block = self.render(self._ready.pop(self._next))
                self.stream.write("\n".join(block) + "\n")
                self._next += 1
            self._redraw()

    def _tick(self) -> None:
        while not self._stop.wait(self.tick):
            with self._lock:
                self._redraw()

    def _redraw(self) -> None:
        if self.progress and not self._stop.is_set():
            self._draw()
        self.stream.flush()

    def _draw(self) -> None:
        line = progress_line(self._done, len(self.labels), self._running, self.clock() - self._start)
        columns = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r\x1b[K" + self.style.dim(line[: max(10, columns - 1)]))

    def _clear(self) -> None:
        if self.progress:
            self.stream.write("\r\x1b[K")
