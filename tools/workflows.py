"""The GitHub Actions workflows, generated from the manifest: Classroom autograding and the project's CI.

    python -m tools.workflows           write .github/workflows/classroom.yml and ci.yml
    python -m tools.workflows --check   exit 1 if either committed file differs from what it would write

``classroom.yml`` has one grading step per built kata (``tools.export`` writes the same file into a
learner template).  Each step runs the learner's own command, ``.venv/bin/python -m tools.scoreboard
--kata NN``, after one setup step made ``.venv``: the grading action passes only ``PATH`` and ``HOME``
to the command, so nothing may depend on the workflow's environment, and the scoreboard already kills
a kata's grading at its budget.  Two modes (``tools.credit.MODES``):

- ``all-or-nothing`` (the default): ``classroom-resources/autograding-command-grader@v1``; the
  kata's points when the scoreboard exits 0, else 0 -- the same score the learner's own board shows;
- ``partial``: a ``run`` step, ``python -m tools.classroom --kata NN``, sets the step's ``result``
  output with one test per claim and integer points per claim.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graders.manifest import ROOT, Kata, katas
from tools import yamlout
from tools.credit import MODES

WORKFLOWS = ROOT / ".github" / "workflows"
CLASSROOM_PYTHON = "3.12"
CI_PYTHONS = ("3.11", "3.12", "3.13")
SETUP = "python -m venv .venv && .venv/bin/pip install -q -e . && mkdir -p .grading"
README_TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/tox run -m tests"
"""The README's command for the project's own tests; ci.yml runs exactly this (a test checks the README)."""
STARTUP_MARGIN = 30
"""Seconds a grading step gets beyond the kata's budget: the interpreter, pytest and the harness starting."""
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
GENERATED = "Generated from katas.toml by `python -m tools.workflows` (or tools.export): edit the manifest, not this."


def built() -> list[Kata]:
    return [k for k in katas() if k.built]


def step_id(kata: Kata) -> str:
    return f"kata-{kata.number}"


def learner_command(kata: Kata) -> str:
    """The command that grades one kata: what the learner runs, and what the Classroom step runs."""
    return f".venv/bin/python -m tools.scoreboard --kata {kata.number}"


def results_file(kata: Kata) -> str:
    return f".grading/kata{kata.number}.json"


def timeout_minutes(kata: Kata) -> int:
    return math.ceil((kata.budget + STARTUP_MARGIN) / 60)


def grading_step(kata: Kata, mode: str) -> dict[str, Any]:
    name = f"Kata {kata.number} · {kata.title}"
    if mode == "partial":
        return {
            "name": name,
            "id": step_id(kata),
            "timeout-minutes": timeout_minutes(kata),
            "run": f".venv/bin/python -m tools.classroom --kata {kata.number} --json {results_file(kata)}",
        }
    return {
        "name": name,
        "id": step_id(kata),
        "uses": COMMAND_GRADER,
        "with": {
            "test-name": name,
            "command": f"{learner_command(kata)} --json {results_file(kata)}",
            "timeout": timeout_minutes(kata),
            "max-score": kata.points,
        },
    }


def classroom(graded: Iterable[Kata], mode: str = "all-or-nothing", *, on_push: bool = True) -> dict[str, Any]:
    """The ``Autograding Tests`` workflow for ``graded`` katas.

    ``on_push=False`` is this repository's own copy: it holds the solutions and its katas are the untouched
    stubs, so grading them on every push would only ever show red; it runs when asked (``workflow_dispatch``).
    A learner template (``tools.export``) gets the push-triggered workflow Classroom needs.
    """
    graded = list(graded)
    if mode not in MODES:
        raise ValueError(f"unknown grading mode {mode!r}")
    if not graded:
        raise ValueError("no built katas to grade")
    ids = [step_id(k) for k in graded]
    summary = ".venv/bin/python -m tools.board_markdown .grading/*.json"
    steps: list[dict[str, Any]] = [
        {"name": "Check out the submission", "uses": "actions/checkout@v4"},
        {"name": "Set up Python", "uses": "actions/setup-python@v5", "with": {"python-version": CLASSROOM_PYTHON}},
        {"name": "Install the graders", "run": SETUP},
        *(grading_step(k, mode) for k in graded),
        {
            "name": "Autograding Reporter",
            "uses": REPORTER,
            "env": {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids},
            "with": {"runners": ",".join(ids)},
        },
        {
            "name": "The board in the job summary",
            "if": "always()",
            "run": summary + (" --partial-credit" if mode == "partial" else "") + ' >> "$GITHUB_STEP_SUMMARY"',
        },
    ]
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch", "workflow_dispatch"] if on_push else ["workflow_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {
            "run-autograding-tests": {
                "runs-on": "ubuntu-latest",
                "if": "github.actor != 'github-classroom[bot]'",
                "timeout-minutes": 10 + sum(timeout_minutes(k) for k in graded),
                "steps": steps,
            }
        },
    }


def ci() -> dict[str, Any]:
    """The project's CI: its own tests on every supported Python, and the stubs' board in the summary."""
    return {
        "name": "CI",
        "on": ["push", "pull_request"],
        "jobs": {
            "tests": {
                "runs-on": "ubuntu-latest",
                "timeout-minutes": 60,
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {
                        "name": f"Set up Python {', '.join(CI_PYTHONS)}",
                        "uses": "actions/setup-python@v5",
                        "with": {"python-version": "\n".join(CI_PYTHONS) + "\n"},
                    },
                    {"name": "The project's tests on every Python (the README's command)", "run": README_TEST_COMMAND},
                    {
                        # Under GitHub Actions the scoreboard appends its Markdown board to the job summary.
                        "name": "The board of the untouched stubs (every kata fails, as it should) in the job summary",
                        "if": "always()",
                        "run": ".venv/bin/python -m tools.scoreboard || true",
                    },
                ],
            }
        },
    }


def render_classroom(graded: Iterable[Kata], mode: str = "all-or-nothing", *, on_push: bool = True) -> str:
    header = [
        GENERATED,
        f"Grading: {mode}. One step per kata; every setting lives in files, because the grading action",
        "passes only PATH and HOME to its command. Keep this the only workflow that runs on push, so",
        "Classroom records its result: trigger others with `workflow_run` on `Autograding Tests`.",
    ]
    if not on_push:
        header += [
            "This copy runs only when asked: this repository holds the solutions and its katas are the",
            "untouched stubs. `python -m tools.export DEST` writes the learner template's copy, run on push.",
        ]
    return yamlout.dumps(classroom(graded, mode, on_push=on_push), header=header)


def render_ci() -> str:
    header = [GENERATED, "The project's own tests with the README's command, and the stubs' board in the summary."]
    return yamlout.dumps(ci(), header=header)


def expected() -> dict[Path, str]:
    """Every generated workflow of this repository and its text."""
    return {WORKFLOWS / "classroom.yml": render_classroom(built(), on_push=False), WORKFLOWS / "ci.yml": render_ci()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.workflows", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the committed files are current")
    args = parser.parse_args(argv)
    stale = [path for path, text in expected().items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run `python -m tools.workflows`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in expected().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
