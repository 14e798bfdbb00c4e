"""Watch mode: re-grade a kata each time its file is saved, and show that kata's board.

Saves are noticed by polling ``os.stat`` (modification time, size, inode) twice a second: a kata file is small
and one ``stat`` is cheap, so polling costs nothing measurable and needs no dependency, and it works the same in
containers, WSL and network mounts where file-event APIs miss changes. A save during a grading is graded right
after it. Grading runs in its own process as on the board, so Ctrl-C stops it too.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from graders.manifest import Kata, katas
from tools import board, document, hints
from tools.grading import KataResult, grade

POLL = 0.5
"""Seconds between two looks at the watched files."""

Signature = tuple[int, int, int] | None


def signature(path: Path) -> Signature:
    """What changes when a file is saved (None when it does not exist)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@dataclass
class Target:
    """A watched file: the kata it is for, and its signature when it was last graded."""

    kata: Kata
    path: Path
    seen: Signature = None


class Watcher:
    """Grades a target when its file changes, and hands the kata's document entry to ``show``."""

    def __init__(
        self,
        targets: list[Target],
        show: Callable[[Target, dict[str, Any]], None],
        *,
        own_files: bool = True,
        grader: Callable[[Kata, Path], KataResult] | None = None,
        state: hints.HintState | None = None,
        on_grading: Callable[[Target], None] | None = None,
    ) -> None:
        self.targets, self.show, self.own_files = targets, show, own_files
        self.grader = grader or (lambda kata, path: grade(kata, path))
        self.state = state
        self.on_grading = on_grading
        self.gradings = 0

    def changed(self) -> list[Target]:
        """The targets whose file changed since it was last graded, most recently saved last."""
        found = [(t, signature(t.path)) for t in self.targets]
        return [t for t, now in sorted(found, key=lambda f: f[1] or (0, 0, 0)) if now is not None and now != t.seen]

    def grade(self, target: Target) -> dict[str, Any]:
        """Grade one target now, show it, and return its document entry."""
        target.seen = signature(target.path)  # a save during the grading is graded after it
        if self.on_grading is not None:
            self.on_grading(target)
        result = self.grader(target.kata, target.path)
        self.gradings += 1
        layer = 1
        if self.state is not None and self.own_files:
            layer = self.state.advance(result, hints.digest(target.path))
            self.state.save()
        entry = document.kata_entry(result, hint_layer=layer)
        self.show(target, entry)
        return entry

    def step(self) -> dict[str, Any] | None:
        """One look at the files: grade the most recently saved one that changed, if any."""
        changed = self.changed()
        return self.grade(changed[-1]) if changed else None

    def first(self) -> dict[str, Any] | None:
        """At start: grade the one watched file, or the most recently saved of several."""
        present = [t for t in self.targets if signature(t.path) is not None]
        if not present:
            return None
        if len(present) > 1:
            for target in present:
                target.seen = signature(target.path)
        latest = max(present, key=lambda t: (signature(t.path) or (0, 0, 0))[0])
        return self.grade(latest)

    def run(self, stop: threading.Event, *, poll: float = POLL) -> None:
        """Grade at start, then on every save, until ``stop`` is set."""
        self.first()
        while not stop.wait(poll):
            self.step()


class Screen:
    """Shows the watched kata's board: the screen cleared first on a terminal, a rule between boards otherwise."""

    def __init__(self, stream: TextIO, style: board.Style, *, clear: bool | None = None, several: bool = False):
        self.stream, self.style = stream, style
        self.clear = board.is_terminal(stream) if clear is None else clear
        self.several = several

    def grading(self, target: Target) -> None:
        self.stream.write(self.style.dim(f"Grading {_shown(target.path)} …") + "\n")
        self.stream.flush()

    def show(self, target: Target, entry: dict[str, Any]) -> None:
        lines = []
        if self.clear:
            lines.append("\x1b[2J\x1b[H")
        else:
            lines.append(self.style.dim("─" * 60))
        stamp = time.strftime("%H:%M:%S")
        lines.append(
            self.style.bold(f"Kata {entry['number']} · {entry['title']}") + self.style.dim(f"  graded {stamp}")
        )
        lines += board.kata_lines(entry, self.style)
        lines.append("")
        if entry["status"] == "passed":
            following = next((k for k in katas() if k.number > entry["number"] and k.built), None)
            lines.append(self.style.good(f"Kata {entry['number']} passes every claim."))
            if following is not None and not self.several:
                lines.append(f"Next: python -m tools.practice watch {following.number}")
        elif entry.get("hint") and entry["hint"]["layer"] < entry["hint"]["layers"]:
            lines.append(self.style.dim("Still failing after your next change? The next hint comes with it."))
        what = "kata files in katas/" if self.several else _shown(target.path)
        lines.append(self.style.dim(f"Watching {what}: save to grade again, Ctrl-C to quit."))
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()


def _shown(path: Path) -> str:
    """A path as the learner would type it: relative below the current directory, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if relative.startswith("..") else relative
