"""The scoreboard's fixed interface: exit codes, --submission, --json, and isolation of each kata."""

from __future__ import annotations

import json
import subprocess
import sys

from graders.manifest import ROOT


def board(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.scoreboard", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_passing_kata_exits_0_and_writes_the_json(tmp_path):
    out = tmp_path / "board.json"
    done = board("--kata", "54", "--submission", "tests/references/kata54/one_lock.py", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("✓ 54 Locks against data races")
    document = json.loads(out.read_text())
    assert document["version"] == 1 and document["passed"] is True and document["score"] == 10
    entry = document["katas"][0]
    assert entry["claims_passed"] == entry["claims_total"] == len(entry["claims"]) > 0
    assert set(entry["claims"][0]) == {"id", "name", "task", "status", "message", "duration"}


def test_a_failing_kata_exits_1_with_its_first_failing_claim_and_json_on_stdout():
    done = board("--kata", "54", "--submission", "tests/mutants/kata54/counter_no_lock.py", "--json", "-")
    assert done.returncode == 1
    assert "✗ test_counter_loses_no_increment_under_forced_interleavings" in done.stderr
    assert json.loads(done.stdout)["katas"][0]["status"] == "failed"


def test_usage_errors_exit_2():
    assert board("--submission", "katas/kata54_lock.py").returncode == 2
    assert board("--kata", "99").returncode == 2
    assert board("--kata", "54", "--submission", "no/such/file.py").returncode == 2


def test_a_kata_not_built_yet_says_so():
    done = board("--kata", "64")
    assert done.returncode == 1 and "is not built yet" in done.stdout
