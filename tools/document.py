"""The scoreboard's results document: the JSON that ``--json`` writes and every other format is rendered from.

The schema is ``tools/scoreboard.schema.json`` (JSON Schema 2020-12). In short::

    {
      "version": 1,                   the schema version (below)
      "tool": "tools.scoreboard",
      "passed": true,                 every kata graded passed every claim (and at least one was graded)
      "score": 30, "max_score": 100,  points won, points at stake (katas graded)
      "katas_passed": 3, "katas_graded": 10,
      "jobs": 1,                      gradings that ran at once
      "duration": 34.1,               wall-clock seconds for the whole board
      "not_built": [61, 62, 63],      katas of the manifest not built yet (not graded unless asked for)
      "next": {"number", "title", "file", "command"} | null,    the first failing kata, and what to run
      "katas": [{
          "number", "slug", "title", "item", "points", "score", "budget",
          "submission",               the file graded, relative to the project when inside it
          "status",                   "passed" | "failed" | "not built"
          "claims_passed", "claims_total", "duration" (s), "reason" (why grading ended abnormally, or ""),
          "end",                      "finished" | "budget" | "early" | "limit" | "forged" | "tampered" |
                                      "stopped" | "none"
          "regraded",                 a failure under --jobs was graded again alone (this is that verdict)
          "tasks": [{"number", "title", "claims_passed", "claims_total"}],
          "claims": [{"id", "name", "task", "status", "message", "duration"}],
                                      status: "passed" | "failed" | "error" (the grader's fault) | "not run" |
                                      "skipped"; message: the harness's evidence for a claim that did not pass
          "hint": {"claim", "task", "task_title", "layer", "layers",
                   "shown": [{"layer", "kind", "text"}]} | null    hints revealed for the first failing claim
      }]
    }

Versioning: ``version`` changes only when a field is removed, renamed or changes meaning; new fields may be
added within a version, so readers should ignore fields they do not know.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from graders.manifest import ROOT, Kata, kata, katas
from tools import hints
from tools.grading import KataResult

VERSION = 1
SCHEMA = Path(__file__).with_name("scoreboard.schema.json")


def kata_entry(result: KataResult, *, hint_layer: int = 0) -> dict[str, Any]:
    """One kata of the document: the grader's verdicts, the manifest's facts, and the hints revealed.

    ``hint_layer`` is how many layers of hints for the first failing claim's task to reveal (0: none).
    """
    entry = kata(result.number)
    document = result.to_json()
    document.update(item=entry.item, budget=entry.budget, tasks=_tasks(entry, result), hint=None)
    claim = result.first_failure()
    if hint_layer > 0 and not result.passed and claim is not None and result.status != "not built":
        layers = hints.layers(result.number, claim.task)
        if layers:
            document["hint"] = {
                "claim": claim.name,
                "task": claim.task,
                "task_title": _task_title(entry, claim.task),
                "layer": min(hint_layer, len(layers)),
                "layers": len(layers),
                "shown": [h.to_json() for h in hints.shown(result.number, claim.task, hint_layer)],
            }
    return document


def build(entries: list[dict[str, Any]], *, jobs: int = 1, duration: float = 0.0) -> dict[str, Any]:
    """The whole document for these kata entries (in board order)."""
    graded = [e for e in entries if e["status"] != "not built"]
    return {
        "version": VERSION,
        "tool": "tools.scoreboard",
        "passed": bool(entries) and all(e["status"] == "passed" for e in entries),
        "score": sum(e["score"] for e in graded),
        "max_score": sum(e["points"] for e in graded),
        "katas_passed": sum(e["status"] == "passed" for e in graded),
        "katas_graded": len(graded),
        "jobs": jobs,
        "duration": round(duration, 2),
        "not_built": [k.number for k in katas() if not k.built],
        "next": next_step(graded),
        "katas": entries,
    }


def next_step(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first failing kata and the command that grades it (None when every kata graded passed)."""
    failing = next((e for e in entries if e["status"] == "failed"), None)
    if failing is None:
        return None
    entry = kata(failing["number"])
    own = failing["submission"] == str(entry.stub.relative_to(ROOT))
    command = (
        f"tox -e {entry.tox_env}"
        if own
        else f"python -m tools.scoreboard --kata {entry.number} --submission {failing['submission']}"
    )
    return {"number": entry.number, "title": entry.title, "file": failing["submission"], "command": command}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(document: dict[str, Any], target: str) -> None:
    """Write the document to a file, or to stdout for ``-``."""
    if target == "-":
        sys.stdout.write(dumps(document))
        sys.stdout.flush()
    else:
        Path(target).write_text(dumps(document), encoding="utf-8")


def _task_title(entry: Kata, task: int | None) -> str:
    if task is None or not 1 <= task <= len(entry.tasks):
        return ""
    return entry.tasks[task - 1]


def _tasks(entry: Kata, result: KataResult) -> list[dict[str, Any]]:
    numbers = sorted({c.task for c in result.claims if c.task is not None} | set(range(1, len(entry.tasks) + 1)))
    return [
        {
            "number": n,
            "title": _task_title(entry, n),
            "claims_passed": sum(c.task == n and c.status == "passed" for c in result.claims),
            "claims_total": sum(c.task == n for c in result.claims),
        }
        for n in numbers
    ]
