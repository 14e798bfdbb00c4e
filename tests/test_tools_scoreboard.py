"""The scoreboard: its fixed interface (exit codes, --submission, --json), and the board's other outputs.

The first tests grade for real, in a subprocess, as a learner or a workflow would; the rest call ``main`` with a
fake grader, to check outputs that do not depend on grading.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graders.manifest import ROOT, katas
from tests import fakes
from tests.schema import problems
from tools import document, grading, hints, runner, scoreboard

SCHEMA = json.loads(document.SCHEMA.read_text(encoding="utf-8"))


def board(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.scoreboard", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
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
    assert problems(document, SCHEMA) == []


def test_a_failing_kata_exits_1_with_its_first_failing_claim_and_json_on_stdout():
    done = board("--kata", "54", "--submission", "tests/mutants/kata54/counter_no_lock.py", "--json", "-")
    assert done.returncode == 1
    assert "✗ test_counter_loses_no_increment_under_forced_interleavings" in done.stderr
    assert "Hint 1/3: self.count += by is a read, an add and a write" in done.stderr
    document = json.loads(done.stdout)
    assert document["katas"][0]["status"] == "failed" and problems(document, SCHEMA) == []


def test_usage_errors_exit_2():
    assert board("--submission", "katas/kata54_lock.py").returncode == 2
    assert board("--kata", "99").returncode == 2
    assert board("--kata", "54", "--submission", "no/such/file.py").returncode == 2
    assert board("--jobs", "0").returncode == 2
    assert board("--json", "-", "--markdown", "-").returncode == 2


def test_jobs_2_grades_two_katas_at_once_and_prints_them_in_order(tmp_path):
    out = tmp_path / "board.json"
    env = {**no_color_env(), "KATA_HINTS_STATE": str(tmp_path / "hints.json")}
    done = board("--kata", "55", "--kata", "54", "--jobs", "2", "--json", str(out), env=env)
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if line.startswith(("✓", "✗"))]
    assert [line[:4] for line in lines] == ["✗ 55", "✗ 54"]
    document = json.loads(out.read_text())
    assert document["jobs"] == min(2, runner.cpu_count())
    assert not any(k["regraded"] for k in document["katas"])  # stubs: "not implemented" is never load's doing
    assert set(json.loads((tmp_path / "hints.json").read_text())["katas"]) == {"54", "55"}


def test_list_grades_nothing_and_names_every_kata():
    done = board("--list")
    assert done.returncode == 0
    for entry in katas():
        assert f"{entry.number} {entry.title}" in done.stdout


def no_color_env() -> dict[str, str]:
    import os

    return {**os.environ, "NO_COLOR": "1"}


# main() with a fake grader


@pytest.fixture
def fake_grading(monkeypatch, tmp_path):
    """Grading that returns ``verdicts[kata]``; hint state in tmp_path; the learner's file seen as ``digests``."""
    verdicts: dict[int, str] = {54: "pf", 55: "ppp"}
    digests = {"value": "v1"}
    monkeypatch.setattr(
        grading, "grade", lambda entry, submission=None, **_: fakes.result(entry.number, verdicts[entry.number])
    )
    monkeypatch.setattr(hints, "STATE", tmp_path / "state" / "hints.json")
    monkeypatch.setattr(hints, "digest", lambda path: digests["value"])
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return verdicts, digests


def test_the_board_text_without_colour(fake_grading, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert scoreboard.main(["--kata", "54", "--kata", "55"]) == 1
    text = capsys.readouterr().out
    assert "\x1b[" not in text
    assert text.startswith("✗ 54 Locks against data races")
    assert "    ✗ test_claim_1  (task 2 · a bank, one call at a time)" in text
    assert "✓ 55 A pipeline of threads and queues" in text
    assert "1/2 katas passed · 10/20 points" in text and "Next kata: 54 · Locks against data races" in text


def test_force_color_colours_a_pipe(fake_grading, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    scoreboard.main(["--kata", "55"])
    assert "\x1b[32m✓\x1b[0m 55" in capsys.readouterr().out


def test_the_next_hint_comes_when_the_same_claim_still_fails_after_a_change(fake_grading, capsys):
    verdicts, digests = fake_grading
    scoreboard.main(["--kata", "54"])
    assert "Hint 1/3" in capsys.readouterr().out
    scoreboard.main(["--kata", "54"])
    assert "Hint 2/3" not in capsys.readouterr().out  # nothing changed
    digests["value"] = "v2"
    scoreboard.main(["--kata", "54"])
    assert "Hint 2/3: Keep dict(balances)" in capsys.readouterr().out
    scoreboard.main(["--kata", "54", "--hint"])
    assert "Hint 3/3 (docs): https://docs.python.org/3/library/stdtypes.html" in capsys.readouterr().out
    verdicts[54] = "pp"
    scoreboard.main(["--kata", "54"])
    assert json.loads(hints.STATE.read_text())["katas"] == {}


def test_another_file_shows_the_first_hint_and_remembers_nothing(fake_grading, capsys, tmp_path):
    other = tmp_path / "alice.py"
    other.write_text("")
    scoreboard.main(["--kata", "54", "--submission", str(other)])
    text = capsys.readouterr().out
    assert "Hint 1/3" in text and "Hint 2/3" not in text and "More hints: add --hint." in text
    scoreboard.main(["--kata", "54", "--submission", str(other), "--hint"])
    assert "Hint 3/3 (docs)" in capsys.readouterr().out
    assert not hints.STATE.exists()


def test_markdown_out_and_the_github_step_summary(fake_grading, capsys, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    scoreboard.main(["--kata", "54", "--kata", "55", "--markdown", str(tmp_path / "board.md")])
    board_md = (tmp_path / "board.md").read_text()
    assert "| ❌ | 54 · Locks against data races | 1/2 | 0/10 | 1.5 s |" in board_md
    assert summary.read_text() == "earlier steps\n" + board_md + "\n"
    scoreboard.main(["--kata", "55", "--no-step-summary"])
    assert summary.read_text() == "earlier steps\n" + board_md + "\n"


def test_no_step_summary_outside_github_actions(tmp_path):
    target = tmp_path / "summary.md"
    results = document.build([document.kata_entry(fakes.result(54, "p"))])
    assert not scoreboard.step_summary(results, {"GITHUB_STEP_SUMMARY": str(target)})
    assert scoreboard.step_summary(results, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)})
    assert "54 · Locks against data races" in target.read_text()
