"""A submission that edits the project's files is caught, the files are put back, and no other kata gains.

It really edits files, so it is graded in a copy of the project, through the scoreboard in a process of its
own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests import corpus
from tests.copies import copy_of_the_project
from tools import integrity


@pytest.mark.parametrize("keep_edits", [False, True], ids=["restoring", "keeping-edits"])
@pytest.mark.parametrize("hostile", corpus.hostile_to_the_tree(), ids=lambda h: h.id)
def test_editing_graders_at_import_fails_the_kata_and_is_undone(hostile, keep_edits, tmp_path):
    """With CONCURRENCY_KATAS_KEEP_EDITS=1 (a developer editing graders while a board grades) the edit still
    fails the kata, but is left in place."""
    copy = copy_of_the_project(tmp_path)
    before = {p.relative_to(copy): p.read_bytes() for p in (copy / "graders").rglob("*") if p.is_file()}
    shutil.copy(hostile.path, copy / "katas" / hostile.kata.stub.name)
    number = hostile.kata.number
    command = [
        sys.executable,
        "-m",
        "tools.scoreboard",
        "--kata",
        str(number),
        "--kata",
        str(number + 1),
        "--json",
        "-",
    ]
    env = {**os.environ, integrity.KEEP_EDITS: "1" if keep_edits else "0"}
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300, env=env)
    board = json.loads(done.stdout)
    by_number = {k["number"]: k for k in board["katas"]}
    edited, next_kata = by_number[number], by_number[number + 1]
    assert edited["status"] == "failed" and edited["end"] == "tampered", edited
    missing = [w for w in hostile.words if w not in edited["reason"].lower()]
    assert not missing, f"the reason lacks {missing}: {edited['reason']}"
    after = {p.relative_to(copy): p.read_bytes() for p in (copy / "graders").rglob("*") if p.is_file()}
    if keep_edits:
        assert after != before and "left as they are" in edited["reason"], "the edit was undone all the same"
        return
    assert next_kata["status"] == "failed" and "not implemented" in json.dumps(next_kata["claims"]), next_kata
    assert after == before, "the grader files were not put back"
    assert not (copy / "conftest.py").exists()
