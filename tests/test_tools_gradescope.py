"""The Gradescope export: its layout, and the results.json it writes (no grader runs here)."""

from __future__ import annotations

import json
import stat
import subprocess
import zipfile

import pytest

from graders.manifest import kata
from tests.test_tools_classroom import entry
from tools import export, gradescope, spoilers


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    dest = tmp_path_factory.mktemp("gradescope") / "autograder"
    export.export(dest, gradescope=True)
    return dest


def test_the_zip_has_setup_and_run_autograder_at_its_root_executable(autograder):
    with zipfile.ZipFile(autograder / "autograder.zip") as archive:
        infos = {i.filename: i for i in archive.infolist()}
    for name in ("setup.sh", "run_autograder"):
        assert name in infos
        assert infos[name].external_attr >> 16 & stat.S_IXUSR, f"{name} is not executable in the zip"
        assert subprocess.run(["bash", "-n", str(autograder / name)], check=False).returncode == 0
    assert "tools/gradescope.py" in infos and "katas.toml" in infos and "graders/conftest.py" in infos
    assert not any(n.startswith(("tests/", ".github/")) for n in infos)
    runner = (autograder / "run_autograder").read_text()
    assert "-m tools.gradescope /autograder/submission /autograder/results/results.json\n" in runner


def test_the_autograder_carries_no_corpus_code(autograder):
    assert spoilers.scan(autograder) == []


def test_all_or_nothing_gives_one_test_per_kata_listing_its_claims():
    tests = gradescope.kata_tests(kata(54), entry(["passed", "failed", "passed"]), "all-or-nothing")
    assert len(tests) == 1
    test = tests[0]
    assert test["score"] == 0 and test["max_score"] == 10 and test["status"] == "failed"
    assert test["visibility"] == "visible" and "2/3 claims passed" in test["output"]
    assert "✗ task 2 · claim 1\n    claim 1 broke" in test["output"]
    passed = gradescope.kata_tests(kata(54), entry(["passed"] * 3), "all-or-nothing")[0]
    assert passed["score"] == 10 and passed["status"] == "passed"


def test_partial_credit_gives_one_test_per_claim_with_whole_point_shares():
    tests = gradescope.kata_tests(kata(54), entry(["passed", "failed", "passed", "failed"]), "partial")
    assert [t["max_score"] for t in tests] == [2, 3, 2, 3]
    assert [t["score"] for t in tests] == [2, 0, 2, 0]
    assert [t["number"] for t in tests] == ["54.1", "54.2", "54.3", "54.4"]
    assert [t["status"] for t in tests] == ["passed", "failed", "passed", "failed"]


def test_a_submission_without_the_files_fails_every_kata_with_the_file_to_upload(tmp_path):
    selected = [kata(54), kata(52)]
    document = gradescope.grade_submission(tmp_path, selected, "all-or-nothing")
    gradescope.write(document, tmp_path / "results" / "results.json")
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written == document
    assert written["score"] == 0 and [t["max_score"] for t in written["tests"]] == [10, 10]
    assert "No kata54_lock.py in your submission" in written["tests"][0]["output"]
    assert written["output"] == "0/2 katas passed, 0/20 points"


def test_the_file_in_katas_wins_over_others(tmp_path):
    for folder in ("deep/er", "katas", ""):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "kata54_lock.py").write_text("")
    assert gradescope.find_submission(kata(54), tmp_path) == tmp_path / "katas" / "kata54_lock.py"
    (tmp_path / "katas" / "kata54_lock.py").unlink()
    assert gradescope.find_submission(kata(54), tmp_path) == tmp_path / "kata54_lock.py"
