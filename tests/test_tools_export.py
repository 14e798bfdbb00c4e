"""The learner template: what it holds, what it must never hold, and that its workflow's command grades.

Two grading runs (kata 54: the untouched stub, then a reference copied in) take about a second each.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders.manifest import ROOT, kata
from tests import corpus
from tests.yamlsubset import loads
from tools import export, spoilers, workflows

KATA = 54


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("export") / "template"
    export.export(dest)
    return dest


@pytest.fixture(scope="module")
def prints() -> spoilers.Fingerprints:
    return spoilers.fingerprints()


def test_the_template_has_what_a_learner_needs(template):
    graded = export.exported_katas()
    assert sorted(p.name for p in (template / "katas").iterdir()) == sorted(k.stub.name for k in graded)
    for entry in graded:
        assert (template / "katas" / entry.stub.name).read_bytes() == entry.stub.read_bytes()
        assert (template / "graders" / entry.grader.name).exists()
    for name in ("katas.toml", "pyproject.toml", "tox.ini", "README.md", ".gitignore", "graders/harness/__init__.py"):
        assert (template / name).is_file(), name
    assert (template / "tools" / "scoreboard.py").exists() and (template / "tools" / "grading.py").exists()
    workflow = (template / ".github" / "workflows" / "classroom.yml").read_text()
    assert workflow == workflows.render_classroom(graded)
    readme = (template / "README.md").read_text()
    assert "{{" not in readme and "all or nothing" in readme
    for entry in graded:
        assert f"katas/{entry.stub.name}" in readme
    assert ".venv/bin/python -m tools.scoreboard --kata NN" in readme


def test_the_template_tox_ini_has_a_kata_env_for_every_exported_kata(template):
    config = configparser.ConfigParser(interpolation=None)
    config.read(template / "tox.ini")
    section = next(s for s in config.sections() if s.startswith("testenv:kata"))
    numbers = {int(n) for n in re.findall(r"\d+", section.removeprefix("testenv:kata"))}
    assert numbers == {k.number for k in export.exported_katas()}
    assert config[section]["commands"].strip() == "python -m graders {envname} {posargs}"


def test_the_template_carries_no_reference_mutant_or_hostile_code(template, prints):
    names = {p.relative_to(template).parts[0] for p in template.rglob("*")}
    assert not names & {"tests", "benchmarks", ".ci"}
    assert spoilers.scan(template, prints) == []
    assert not set(export.BUILD_ONLY_TOOLS) & {p.name for p in (template / "tools").iterdir()}


def test_the_scan_finds_corpus_code_by_content_under_any_name(tmp_path, prints):
    reference = corpus.references()[0].path
    mutant = corpus.mutants()[0].path
    (tmp_path / "a").mkdir()
    shutil.copy(reference, tmp_path / "a" / "innocent.py")
    stub = kata(KATA).stub.read_text()
    counter = re.search(r"    def increment\(self.*?\n\n", stub, re.S)
    solved = (ROOT / "tests" / "references" / f"kata{KATA}" / "one_lock.py").read_text()
    body = re.search(r"    def increment\(self.*?\n\n", solved, re.S)
    assert counter and body
    (tmp_path / "kata_file.py").write_text(stub.replace(counter.group(0), body.group(0)))
    (tmp_path / "notes.md").write_text("```python\n" + mutant.read_text() + "\n```\n")
    found = {(s.path.name, s.what) for s in spoilers.scan(tmp_path, prints)}
    assert ("innocent.py", "a copy") in found
    assert ("kata_file.py", "a function") in found
    assert any(name == "notes.md" for name, _ in found)


def test_the_export_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(export.ExportError):
        export.export(tmp_path)


def run_step_command(template: Path, command: str) -> subprocess.CompletedProcess[str]:
    """``command`` as the grading action runs it: a shell, in the checkout, with only PATH and HOME."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "FORCE_COLOR": "true"}
    return subprocess.run(
        ["/bin/sh", "-c", command], cwd=template, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_workflow_command_fails_the_stub_and_passes_a_reference(template):
    venv = template / ".venv"
    if not venv.exists():
        venv.symlink_to(sys.prefix, target_is_directory=True)  # what the workflow's setup step makes
    (template / ".grading").mkdir(exist_ok=True)
    steps = loads((template / ".github" / "workflows" / "classroom.yml").read_text())["jobs"]
    step = next(s for s in steps["run-autograding-tests"]["steps"] if s.get("id") == f"kata-{KATA}")
    command = step["with"]["command"]
    results = template / shlex.split(command)[-1]

    stub = run_step_command(template, command)
    assert stub.returncode == 1, stub.stdout + stub.stderr
    claims = json.loads(results.read_text())["katas"][0]["claims"]
    assert claims and all(c["status"] == "failed" and "not implemented" in c["message"] for c in claims)
    assert "not implemented" in stub.stdout

    reference = ROOT / "tests" / "references" / f"kata{KATA}" / "one_lock.py"
    shutil.copy(reference, template / "katas" / kata(KATA).stub.name)
    try:
        solved = run_step_command(template, command)
    finally:
        shutil.copy(kata(KATA).stub, template / "katas" / kata(KATA).stub.name)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert json.loads(results.read_text())["katas"][0]["status"] == "passed"
