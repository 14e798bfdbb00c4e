"""The manifest is the one list of katas: tox.ini, the stubs, the graders and the corpus agree with it."""

from __future__ import annotations

import ast
import configparser
import re

import pytest

from graders.manifest import ROOT, katas
from tests import corpus


def claims_of(kata) -> set[str]:
    tree = ast.parse(kata.grader.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_tox_has_an_env_for_every_kata():
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    section = next(s for s in config.sections() if s.startswith("testenv:kata"))
    numbers = {int(n) for n in re.findall(r"\d+", section.removeprefix("testenv:kata"))}
    assert numbers == {k.number for k in katas()}


def test_the_readme_test_command_is_what_ci_runs():
    command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert command in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("kata", corpus.built(), ids=lambda k: k.name)
def test_a_built_kata_has_a_teaching_stub_and_claims_for_every_task(kata):
    stub = kata.stub.read_text()
    assert "TODO" in stub and "raise NotImplementedError" in stub
    assert f"Item {kata.number}" in ast.get_docstring(ast.parse(stub))
    tasks = {int(n) for n in re.findall(r"@pytest\.mark\.task\((\d+)\)", kata.grader.read_text())}
    assert tasks == set(range(1, len(kata.tasks) + 1))
    for number in tasks:
        assert f"Task {number} ·" in stub


@pytest.mark.parametrize("kata", corpus.built(), ids=lambda k: k.name)
def test_a_built_kata_has_two_references_and_labelled_mutants(kata):
    assert len([r for r in corpus.references() if r.kata == kata]) >= 2
    mutants = [m for m in corpus.mutants() if m.kata == kata]
    assert mutants
    for mutant in mutants:
        assert mutant.claim in claims_of(kata), f"{mutant.path.name}: unknown claim {mutant.claim!r}"
        assert mutant.words, f"{mutant.path.name} names no expected words"


def test_no_reference_or_mutant_lives_in_katas():
    assert sorted(p.name for p in (ROOT / "katas").glob("*.py")) == sorted(k.stub.name for k in corpus.built())
