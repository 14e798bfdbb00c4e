"""Layered hints per kata and task (``hints.toml``), and the small state file that says which layer comes next.

Each task of each kata has three layers: a nudge, a closer hint, then the page of the Python docs that matters.
The board shows hints for a failing kata's first failing claim, by that claim's task:

- the first time a claim is the kata's first failure, layer 1 (the nudge);
- each time the same claim is still the first failure after the learner *changed the file*, one more layer
  (re-running the board on an unchanged file reveals nothing new);
- ``--hint`` reveals one more layer at once;
- a different first failure starts again at layer 1 for it; a passing kata forgets its hints.

Every layer revealed so far is shown, so the board never hides what the learner has already seen.

The state is ``.kata-state/hints.json`` (git-ignored), one entry per kata::

    {"version": 1, "katas": {"55": {"claim": "<claim id>", "task": 2, "layer": 1, "digest": "<sha256 of the file>"}}}

Delete it to start the hints over. A missing or unreadable file counts as empty. Only boards that grade the
learner's own files (no ``--submission``) read or write it, and ``python -m tools.practice watch``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graders.manifest import ROOT
from tools.grading import KataResult

HINTS = ROOT / "hints.toml"
STATE = Path(os.environ.get("KATA_HINTS_STATE") or ROOT / ".kata-state" / "hints.json")
"""The hint state file; ``KATA_HINTS_STATE`` puts it elsewhere (the project's tests do)."""
KINDS = ("nudge", "closer", "docs")
"""The layers of a task's hints, in the order they are revealed."""
STATE_VERSION = 1


@dataclass(frozen=True)
class Hint:
    """One layer of a task's hints."""

    layer: int
    kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "kind": self.kind, "text": self.text}


@cache
def book(path: Path = HINTS) -> dict[int, dict[int, tuple[Hint, ...]]]:
    """Every hint of ``hints.toml``: ``book()[kata][task]`` is the task's layers, nudge first."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    hints: dict[int, dict[int, tuple[Hint, ...]]] = {}
    for kata_key, tasks in data.items():
        number = int(kata_key.removeprefix("kata"))
        hints[number] = {
            int(task_key.removeprefix("task")): tuple(
                Hint(layer, kind, layers[kind]) for layer, kind in enumerate(KINDS, start=1) if kind in layers
            )
            for task_key, layers in tasks.items()
        }
    return hints


def layers(kata: int, task: int | None) -> tuple[Hint, ...]:
    """The hints of one task of one kata (empty when it has none)."""
    if task is None:
        return ()
    return book().get(kata, {}).get(task, ())


def digest(path: Path | str) -> str:
    """The SHA-256 of a file's bytes ("" if it cannot be read): how the state tells a changed file."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def shown(kata: int, task: int | None, layer: int) -> list[Hint]:
    """The layers revealed up to ``layer`` (at least the first; never more than the task has)."""
    return list(layers(kata, task)[: max(1, layer)])


class HintState:
    """Which layer each kata's failing claim has reached; loaded from and saved to ``path``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or STATE
        self.katas: dict[str, dict[str, Any]] = {}
        with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == STATE_VERSION and isinstance(data.get("katas"), dict):
                self.katas = data["katas"]
        self._saved = json.dumps(self.katas, sort_keys=True)

    def advance(self, result: KataResult, file_digest: str, *, ask: bool = False) -> int:
        """Record a graded kata and return the layer to reveal for its first failure (0: none to show)."""
        key = str(result.number)
        claim = result.first_failure()
        if result.passed or claim is None:
            self.katas.pop(key, None)
            return 0
        entry = self.katas.get(key)
        if entry and entry.get("claim") == claim.id:
            layer = int(entry.get("layer", 1))
            if file_digest and entry.get("digest") != file_digest:
                layer += 1  # the learner changed the file and this claim still fails first
        else:
            layer = 1
        if ask:
            layer += 1
        layer = max(1, min(layer, len(layers(result.number, claim.task)) or 1))
        self.katas[key] = {"claim": claim.id, "task": claim.task, "layer": layer, "digest": file_digest}
        return layer

    def save(self) -> None:
        """Write the state if it changed, atomically (a board stopped half-way never leaves a torn file)."""
        if json.dumps(self.katas, sort_keys=True) == self._saved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": STATE_VERSION, "katas": self.katas}, indent=1, sort_keys=True) + "\n"
        fd, temporary = tempfile.mkstemp(prefix=".hints-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path)
            self._saved = json.dumps(self.katas, sort_keys=True)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
