"""Grade a Gradescope submission and write ``results.json``: what ``run_autograder`` runs.

    python -m tools.gradescope SUBMISSION_DIR RESULTS_JSON [--partial-credit] [--kata NN ...]

Each built kata's file (``kataNN_<topic>.py``, anywhere under SUBMISSION_DIR; ``katas/`` wins when
there are several) is graded in its own process under the kata's budget (``tools.grading.grade``),
and ``results.json`` gets, in the documented format:

- all-or-nothing (the default): one test per kata worth the kata's points, its output every claim
  with the message of each failing one;
- ``--partial-credit``: one test per claim, worth the claim's share of the kata's points
  (``tools.credit``).

Every test is ``visible``.  A missing file, or a grading that could not start, is a failed test
worth the kata's points with the reason as its output: the file is always written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from graders.manifest import Kata, kata, katas
from tools.credit import claim_scores, claim_title, kata_score
from tools.grading import grade

OUTPUT_LIMIT = 8000
"""Characters of a test's output kept (a hang's thread dump can be long)."""


def find_submission(entry: Kata, root: Path) -> Path | None:
    """The student's file for ``entry`` under ``root``: ``katas/`` first, then the shallowest."""
    found = [p for p in root.rglob(f"{entry.name}.py") if ".venv" not in p.parts and p.is_file()]
    found.sort(key=lambda p: (p.parent.name != "katas", len(p.parts), str(p)))
    return found[0] if found else None


def _clip(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "\n[output cut]"


def _claims_text(entry: dict[str, Any]) -> str:
    lines = []
    for claim in entry["claims"]:
        passed = claim["status"] == "passed"
        lines.append(f"{'✓' if passed else '✗'} {claim_title(claim)}")
        if not passed:
            lines += [f"    {line}" for line in (claim.get("message") or claim["status"]).splitlines()]
    if entry.get("reason"):
        lines.append(f"({entry['reason']})")
    return "\n".join(lines)


def kata_tests(entry_kata: Kata, entry: dict[str, Any] | None, mode: str, problem: str = "") -> list[dict[str, Any]]:
    """The Gradescope tests for one kata, from its scoreboard JSON entry (None: it was not graded)."""
    name = f"Kata {entry_kata.number} · {entry_kata.title}"
    if entry is None or not entry.get("claims"):
        why = problem or (entry or {}).get("reason") or "the grader reported no claims"
        return [_test(name, str(entry_kata.number), 0, entry_kata.points, why)]
    if mode == "partial":
        return [
            _test(
                f"{name}: {claim_title(claim)}",
                f"{entry_kata.number}.{i}",
                score,
                share,
                claim.get("message", "") or ("" if claim["status"] == "passed" else claim["status"]),
                passed=claim["status"] == "passed",
            )
            for i, (claim, score, share) in enumerate(claim_scores(entry), start=1)
        ]
    summary = f"{entry['claims_passed']}/{entry['claims_total']} claims passed\n\n{_claims_text(entry)}"
    score = kata_score(entry, mode)
    return [_test(name, str(entry_kata.number), score, entry_kata.points, summary, passed=entry["status"] == "passed")]


def _test(name: str, number: str, score: int, max_score: int, output: str, *, passed: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "number": number,
        "score": score,
        "max_score": max_score,
        "status": "passed" if passed else "failed",
        "output": _clip(output),
        "output_format": "text",
        "visibility": "visible",
    }


def results(tests: list[dict[str, Any]], *, passed: int, graded: int, seconds: float) -> dict[str, Any]:
    score = sum(t["score"] for t in tests)
    total = sum(t["max_score"] for t in tests)
    return {
        "score": score,
        "execution_time": round(seconds),
        "output": f"{passed}/{graded} katas passed, {score}/{total} points",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "visible",
        "tests": tests,
    }


def grade_submission(root: Path, selected: list[Kata], mode: str) -> dict[str, Any]:
    """Grade every selected kata's file under ``root`` and return the results document."""
    start = time.monotonic()
    tests: list[dict[str, Any]] = []
    passed = 0
    for entry_kata in selected:
        path = find_submission(entry_kata, root)
        if path is None:
            problem = f"No {entry_kata.name}.py in your submission: upload katas/{entry_kata.name}.py."
            print(f"✗ {entry_kata.number} {entry_kata.title}: not submitted", flush=True)
            tests += kata_tests(entry_kata, None, mode, problem)
            continue
        try:
            entry = grade(entry_kata, path).to_json()
        except Exception as exc:  # a broken grading run must still leave results for the others
            print(f"✗ {entry_kata.number} {entry_kata.title}: grading failed: {exc!r}", flush=True)
            tests += kata_tests(entry_kata, None, mode, f"grading could not run: {type(exc).__name__}: {exc}")
            continue
        passed += entry["status"] == "passed"
        mark = "✓" if entry["status"] == "passed" else "✗"
        counts = f"{entry['claims_passed']}/{entry['claims_total']} claims"
        print(f"{mark} {entry_kata.number} {entry_kata.title}: {counts}, {entry['duration']} s", flush=True)
        tests += kata_tests(entry_kata, entry, mode)
    return results(tests, passed=passed, graded=len(selected), seconds=time.monotonic() - start)


def write(document: dict[str, Any], target: Path) -> None:
    """Write ``results.json`` whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.gradescope", description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path, help="the submission's directory (/autograder/submission)")
    parser.add_argument("results", type=Path, help="where to write results.json")
    parser.add_argument("--partial-credit", action="store_true", help="one test per claim, with its share of points")
    parser.add_argument("--kata", action="append", default=[], metavar="NN", help="grade only this kata (repeatable)")
    args = parser.parse_args(argv)
    try:
        selected = [kata(n) for n in args.kata] if args.kata else [k for k in katas() if k.built]
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    document = grade_submission(args.submission, selected, "partial" if args.partial_credit else "all-or-nothing")
    write(document, args.results)
    print(document["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
