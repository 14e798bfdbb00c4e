"""The partial-credit grading step of the Classroom workflow: one kata, points per claim.

    python -m tools.classroom --kata 54 [--json .grading/kata54.json]

Runs the scoreboard for the kata (its board goes to the log), then sets the step's ``result`` output
the way ``autograding-command-grader`` does, so ``autograding-grading-reporter`` reads it: base64 of
compact JSON ``{"version": 1, "status", "max_score", "tests": [...]}`` with one test per claim and an
integer ``score`` each (``tools.credit`` shares the kata's points out).  The output goes to the file
named by ``$GITHUB_OUTPUT``; without it (on your machine) the ``result=...`` line is printed.

The step always exits 0 once it has written a result: the reporter turns the results into the check's
verdict, as it does for the command grader's steps.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from graders.manifest import ROOT, kata
from tools.credit import claim_scores, claim_title

STATUS = {"passed": "pass", "failed": "fail", "not run": "fail", "skipped": "fail", "error": "error"}
"""A claim's status in the scoreboard's JSON, as the reporter's result schema spells it."""


def scoreboard_command(number: int, json_path: str) -> list[str]:
    return [sys.executable, "-m", "tools.scoreboard", "--kata", str(number), "--json", json_path]


def result(entry: dict[str, Any] | None, *, max_score: int, command: str, problem: str = "") -> dict[str, Any]:
    """The command grader's result document for one scoreboard JSON kata entry (None: no results)."""
    if entry is None or not entry.get("claims"):
        why = problem or (entry or {}).get("reason") or "the grader reported no claims"
        test = {"name": "grading", "status": "error", "score": 0, "message": why, "test_code": command}
        return {"version": 1, "status": "error", "max_score": max_score, "tests": [{**test, "line_no": 0}]}
    tests = []
    for claim, score, _ in claim_scores(entry):
        message = claim.get("message", "")
        if claim["status"] == "not run" and entry.get("reason"):
            message = message or entry["reason"]
        tests.append(
            {
                "name": claim_title(claim),
                "status": STATUS.get(claim["status"], "error"),
                "score": score,
                "message": message,
                "test_code": command,
                "filename": claim["id"].split("::", 1)[0],
                "line_no": 0,
                "duration": round(float(claim.get("duration", 0.0)) * 1000),
            }
        )
    statuses = {t["status"] for t in tests}
    status = "pass" if entry["status"] == "passed" else "error" if statuses == {"error"} else "fail"
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


def encode(document: dict[str, Any]) -> str:
    """base64 of compact JSON, as the Node graders' ``btoa(JSON.stringify(result))``."""
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(compact.encode("utf-8")).decode("ascii")


def decode(text: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(text).decode("utf-8"))


def grade_step(number: int, json_out: str | None) -> dict[str, Any]:
    """Run the scoreboard for kata ``number`` and turn what it wrote into a result document."""
    entry_kata = kata(number)
    command = f"python -m tools.scoreboard --kata {number}"
    with tempfile.TemporaryDirectory(prefix="classroom-") as scratch:
        path = json_out or str(Path(scratch, "board.json"))
        done: subprocess.CompletedProcess[bytes] | None = None
        try:
            done = subprocess.run(
                scoreboard_command(number, path),
                cwd=ROOT,
                env=_without_summary(),
                stdin=subprocess.DEVNULL,
                check=False,
            )
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            entry = next(e for e in document["katas"] if int(e["number"]) == number)
        except (OSError, ValueError, KeyError, StopIteration) as exc:
            problem = f"the scoreboard left no results ({type(exc).__name__}: {exc})"
            if done is not None:
                problem += f"; it exited with status {done.returncode}"
            return result(None, max_score=entry_kata.points, command=command, problem=problem)
    return result(entry, max_score=entry_kata.points, command=command)


def _without_summary() -> dict[str, str]:
    """The environment, less the job summary: the workflow's last step writes one board for every kata."""
    return {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}


def publish(document: dict[str, Any]) -> None:
    """Set the step's ``result`` output (or print it, outside GitHub Actions)."""
    line = f"result={encode(document)}\n"
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as output:
            output.write(line)
    else:
        sys.stdout.write(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.classroom", description=__doc__.splitlines()[0])
    parser.add_argument("--kata", required=True, metavar="NN", help="the kata to grade (52-64)")
    parser.add_argument("--json", metavar="OUT", help="keep the scoreboard's JSON in OUT (for the job summary)")
    args = parser.parse_args(argv)
    try:
        number = kata(args.kata).number
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    document = grade_step(number, args.json)
    earned = sum(t["score"] for t in document["tests"])
    print(f"Classroom: {earned}/{document['max_score']} points for kata {number} (partial credit per claim)")
    sys.stdout.flush()
    publish(document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
