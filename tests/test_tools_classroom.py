"""Partial credit: how points split over claims, and the ``result`` a Classroom step emits.

One grading run (kata 54's untouched stub, about a second) checks the step end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graders.manifest import ROOT, kata
from tools import classroom, credit


def entry(statuses: list[str], *, points: int = 10, status: str | None = None) -> dict:
    """A scoreboard JSON kata entry with one claim per status."""
    claims = [
        {
            "id": f"graders/test_kata54_lock.py::test_claim_{i}",
            "name": f"test_claim_{i}",
            "task": 1 + i % 3,
            "status": s,
            "message": "" if s == "passed" else f"claim {i} broke",
            "duration": 0.25,
        }
        for i, s in enumerate(statuses)
    ]
    passed = all(s == "passed" for s in statuses) and bool(statuses)
    return {
        "number": 54,
        "title": "Locks against data races",
        "points": points,
        "status": status or ("passed" if passed else "failed"),
        "claims": claims,
        "claims_passed": statuses.count("passed"),
        "claims_total": len(statuses),
        "duration": 1.0,
        "reason": "",
    }


@pytest.mark.parametrize(("points", "claims"), [(10, 9), (10, 10), (10, 25), (3, 7), (0, 4), (7, 1)])
def test_shares_are_whole_points_that_add_up_and_are_spread_evenly(points, claims):
    shares = credit.shares(points, claims)
    assert len(shares) == claims and sum(shares) == points
    assert max(shares) - min(shares) <= 1
    if points < claims:
        first_half = sum(shares[: claims // 2])
        assert abs(first_half - points * (claims // 2) / claims) < 1


def test_a_passing_kata_earns_every_point_and_reports_pass():
    document = classroom.result(entry(["passed"] * 9), max_score=10, command="cmd")
    assert document["version"] == 1 and document["status"] == "pass" and document["max_score"] == 10
    assert sum(t["score"] for t in document["tests"]) == 10
    assert {t["status"] for t in document["tests"]} == {"pass"}
    assert all(isinstance(t["score"], int) for t in document["tests"])


def test_a_half_solved_kata_earns_the_shares_of_its_passing_claims():
    statuses = ["passed"] * 5 + ["failed", "not run", "failed", "error", "failed"]
    document = classroom.result(entry(statuses), max_score=10, command="cmd")
    assert document["status"] == "fail"
    assert sum(t["score"] for t in document["tests"]) == 5
    assert [t["status"] for t in document["tests"]][5:] == ["fail", "fail", "fail", "error", "fail"]
    failed = document["tests"][5]
    assert failed["message"] == "claim 5 broke" and failed["filename"] == "graders/test_kata54_lock.py"
    assert failed["name"] == "task 3 · claim 5" and failed["duration"] == 250


def test_no_claims_is_an_error_with_a_reason():
    broken = entry([], status="failed")
    broken["reason"] = "grading ran past the kata's budget of 90 s and was stopped"
    document = classroom.result(broken, max_score=10, command="cmd")
    assert document["status"] == "error" and document["tests"][0]["score"] == 0
    assert "budget" in document["tests"][0]["message"]
    assert classroom.result(None, max_score=10, command="cmd", problem="nothing")["tests"][0]["message"] == "nothing"


def test_the_result_is_base64_of_compact_json_and_decodes_back():
    document = classroom.result(entry(["passed", "failed"]), max_score=10, command="cmd")
    encoded = classroom.encode(document)
    assert "\n" not in encoded and classroom.decode(encoded) == document
    assert b", " not in __import__("base64").b64decode(encoded)


def test_the_step_sets_its_result_output_for_the_stub(tmp_path):
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run(
        [sys.executable, "-m", "tools.classroom", "--kata", "54", "--json", str(tmp_path / "board.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    name, _, value = output.read_text().strip().partition("=")
    assert name == "result"
    document = classroom.decode(value)
    assert document["status"] == "fail" and document["max_score"] == kata(54).points
    assert document["tests"] and all(t["score"] == 0 and t["status"] == "fail" for t in document["tests"])
    assert all("not implemented" in t["message"] for t in document["tests"])
    assert "0/10 points" in done.stdout
    assert not summary.exists(), "one board per kata in the job summary: the workflow's last step writes the board"
