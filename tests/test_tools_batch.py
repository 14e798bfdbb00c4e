"""Batch grading: the two layouts, the CSV and JSON of student × claim, the claims failed most, and a real batch of a
correct, a buggy, a hanging and a crashing submission."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from graders.manifest import ROOT, kata
from tests import fakes
from tools import batch

SUBMISSIONS = {
    "alice": ROOT / "tests" / "references" / "kata54" / "one_lock.py",  # correct
    "bob": ROOT / "tests" / "mutants" / "kata54" / "bank_no_lock.py",  # buggy
    "carol": ROOT / "tests" / "hostile" / "kata54_deadlocks.py",  # hangs
    "erin": ROOT / "tests" / "hostile" / "kata54_os_exit_at_import.py",  # ends the grading process
}


def test_files_are_students_for_the_one_kata_and_folders_are_students_with_kata_files(tmp_path):
    (tmp_path / "zoe.py").write_text("")
    (tmp_path / "amy" / "katas").mkdir(parents=True)
    (tmp_path / "amy" / "katas" / "kata54_lock.py").write_text("")
    (tmp_path / "amy" / "notes.py").write_text("")
    (tmp_path / "ben").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "kata54_lock.py").write_text("")
    found = batch.collect(tmp_path, [kata(54)])
    assert [(s.student, s.kata.number, s.path and s.path.name) for s in found] == [
        ("amy", 54, "kata54_lock.py"),
        ("ben", 54, None),
        ("zoe", 54, "zoe.py"),
    ]


def test_without_kata_a_folder_gives_every_kata_file_it_has_and_a_loose_file_is_an_error(tmp_path):
    (tmp_path / "amy").mkdir()
    for name in ("kata54_lock.py", "kata55_queue.py"):
        (tmp_path / "amy" / name).write_text("")
    assert [s.kata.number for s in batch.collect(tmp_path, [])] == [54, 55]
    (tmp_path / "loose.py").write_text("")
    with pytest.raises(ValueError, match="needs exactly one --kata"):
        batch.collect(tmp_path, [])


def rows_from_fakes(tmp_path):
    submissions = [
        batch.Submission("amy", kata(54), tmp_path / "amy.py"),
        batch.Submission("ben", kata(54), tmp_path / "ben.py"),
        batch.Submission("cat", kata(54), None),
        batch.Submission("dan", kata(54), tmp_path / "dan.py"),
    ]
    verdicts = {"amy.py": "ppp", "ben.py": "pff", "dan.py": "ppf"}
    return batch.grade_batch(
        submissions, workers=1, grader=lambda entry, path: fakes.result(entry.number, verdicts[path.name])
    )


def test_the_csv_has_a_row_per_student_and_a_column_per_claim(tmp_path):
    rows = rows_from_fakes(tmp_path)
    table = list(csv.DictReader(io.StringIO(batch.to_csv(rows))))
    assert [(r["student"], r["status"], r["claims_passed"]) for r in table] == [
        ("amy", "passed", "3"),
        ("ben", "failed", "1"),
        ("cat", "missing", "0"),
        ("dan", "failed", "2"),
    ]
    assert table[1]["kata54:test_claim_1"] == "failed" and table[1]["first_failure"] == "test_claim_1"
    assert table[2]["kata54:test_claim_0"] == ""  # no file, no verdict


def test_the_summary_counts_which_claims_failed_most_among_graded_files(tmp_path):
    rows = rows_from_fakes(tmp_path)
    summary = batch.claim_summary(rows)
    assert [(c["name"], c["failed"], c["first"], c["of"]) for c in summary] == [
        ("test_claim_2", 2, 1, 3),
        ("test_claim_1", 1, 1, 3),
        ("test_claim_0", 0, 0, 3),
    ]
    document = batch.to_json(rows, root=tmp_path, jobs=1, duration=1.0)
    assert [s["student"] for s in document["students"]] == ["amy", "ben", "cat", "dan"]
    assert document["students"][2]["katas"][0]["status"] == "missing"
    text = "\n".join(batch.summary_lines(rows, batch.board.Style()))
    assert "Kata 54 · Locks against data races: 1/3 submissions pass (33%), 1 missing" in text
    assert "| 2/3 | 1 | 54 | test_claim_2 | 3 |" in batch.markdown(rows, jobs=1, duration=1.0)


def test_a_batch_of_a_correct_a_buggy_a_hanging_and_a_crashing_submission(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for student, source in SUBMISSIONS.items():
        (folder / f"{student}.py").write_bytes(source.read_bytes())
    out = tmp_path / "grades"
    options = ["--kata", "54", "--jobs", "2", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "tools.batch", str(folder), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    table = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert table["alice"]["status"] == "passed" and table["alice"]["score"] == "10"
    assert (
        table["bob"]["status"] == "failed"
        and table["bob"]["kata54:test_concurrent_transfers_lose_no_money"] == "failed"
    )
    assert table["carol"]["status"] == "failed" and table["carol"]["first_failure"].startswith("test_counter")
    assert table["erin"]["status"] == "failed"
    document = json.loads((out / "grades.json").read_text())
    carol = next(s for s in document["students"] if s["student"] == "carol")["katas"][0]
    assert "did not return within" in carol["claims"][0]["message"]
    erin = next(s for s in document["students"] if s["student"] == "erin")["katas"][0]
    assert erin["end"] == "early"
    assert "Kata 54 · Locks against data races: 1/4 submissions pass (25%)" in done.stdout
    assert "the file ended the grading process" in done.stdout
    assert (out / "summary.md").read_text().startswith("# Batch grading")


def test_usage_errors_exit_2(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "tools.batch", *args], cwd=ROOT, capture_output=True, text=True)

    assert run(str(tmp_path / "nowhere"), "--kata", "54").returncode == 2
    assert run(str(tmp_path), "--kata", "54").returncode == 2  # nothing to grade
    (tmp_path / "x.py").write_text("")
    assert run(str(tmp_path)).returncode == 2  # a loose file needs --kata
