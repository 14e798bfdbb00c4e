"""Layered hints: every task of every kata has a short nudge, a closer hint and a docs link; the state file's rules."""

from __future__ import annotations

import json
import re

import pytest

from graders.manifest import katas
from tests import fakes
from tools import hints

NUDGE_MAX, LAYER_MAX = 160, 220


@pytest.mark.parametrize("kata", katas(), ids=lambda k: k.name)
def test_every_task_has_three_short_layers_ending_in_a_python_docs_page(kata):
    tasks = hints.book().get(kata.number, {})
    assert tasks, f"kata {kata.number} has no hints"
    expected = set(range(1, len(kata.tasks) + 1)) if kata.tasks else set(range(1, max(tasks) + 1))
    if kata.built and not kata.tasks:  # the manifest lists no tasks yet: the stub's "Task N ·" lines say
        expected = {int(n) for n in re.findall(r"^Task (\d+) ·", kata.stub.read_text(), re.MULTILINE)} or expected
    assert set(tasks) == expected, f"kata {kata.number}: hints for tasks {sorted(tasks)}, tasks are {sorted(expected)}"
    for task, layers in tasks.items():
        assert [h.kind for h in layers] == list(hints.KINDS), f"kata {kata.number} task {task}"
        nudge, closer, docs = layers
        assert len(nudge.text) <= NUDGE_MAX and len(closer.text) <= LAYER_MAX, f"kata {kata.number} task {task}"
        assert re.fullmatch(r"https://docs\.python\.org/3/library/[a-z0-9_.-]+\.html(#[\w.-]+)?", docs.text), docs
        assert nudge.text != closer.text


def test_kata_64_hints_check_pickling_and_steer_clear_of_cancel_futures_on_a_process_pool():
    text = " ".join(h.text for layers in hints.book()[64].values() for h in layers)
    assert "pickle.dumps(func)" in text
    assert "Avoid executor.shutdown(cancel_futures=True) on a process pool" in text and "gh-116685" in text


def test_the_layer_advances_only_when_the_same_claim_still_fails_after_the_file_changed(tmp_path):
    state = hints.HintState(tmp_path / "hints.json")
    result = fakes.result(54, "f")
    assert state.advance(result, "v1") == 1
    assert state.advance(result, "v1") == 1  # graded again, file unchanged: nothing new
    assert state.advance(result, "v2") == 2  # changed, still failing the same claim
    assert state.advance(result, "v3") == 3
    assert state.advance(result, "v4") == 3  # there are three layers


def test_hint_reveals_one_more_layer_at_once(tmp_path):
    state = hints.HintState(tmp_path / "hints.json")
    result = fakes.result(54, "f")
    assert state.advance(result, "v1", ask=True) == 2
    assert state.advance(result, "v1", ask=True) == 3


def test_a_new_first_failure_starts_over_and_a_pass_forgets(tmp_path):
    state = hints.HintState(tmp_path / "hints.json")
    assert state.advance(fakes.result(54, "ff"), "v1", ask=True) == 2
    assert state.advance(fakes.result(54, "pf"), "v2") == 1  # claim 0 passes now; claim 1 fails first
    assert state.advance(fakes.result(54, "pp"), "v3") == 0
    assert "54" not in state.katas


def test_the_state_survives_a_save_and_a_damaged_file_counts_as_empty(tmp_path):
    path = tmp_path / "state" / "hints.json"
    state = hints.HintState(path)
    state.advance(fakes.result(54, "f"), "v1", ask=True)
    state.save()
    saved = json.loads(path.read_text())
    assert saved["version"] == 1 and saved["katas"]["54"]["layer"] == 2 and saved["katas"]["54"]["task"] == 1
    assert hints.HintState(path).advance(fakes.result(54, "f"), "v2") == 3
    path.write_text("{not json")
    assert hints.HintState(path).katas == {}
    path.write_text('{"version": 1, "katas": []}')
    assert hints.HintState(path).katas == {}


def test_the_digest_tells_a_changed_file(tmp_path):
    path = tmp_path / "kata.py"
    path.write_text("a")
    before = hints.digest(path)
    path.write_text("b")
    assert hints.digest(path) != before and len(before) == 64
    assert hints.digest(tmp_path / "missing.py") == ""


def test_an_unchanged_state_is_not_written(tmp_path):
    path = tmp_path / "hints.json"
    state = hints.HintState(path)
    state.save()
    assert not path.exists()  # nothing to remember: no file
    state.advance(fakes.result(54, "f"), "v1")
    state.save()
    assert path.exists()
    again = hints.HintState(path)
    again.advance(fakes.result(54, "f"), "v1")
    path.unlink()
    again.save()
    assert not path.exists()  # same claim, same layer, same file: nothing to rewrite
