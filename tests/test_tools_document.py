"""The results document (--json): its schema, its totals, the next step, tasks and hints."""

from __future__ import annotations

import json

from tests import fakes
from tests.schema import problems
from tools import document

SCHEMA = json.loads(document.SCHEMA.read_text(encoding="utf-8"))


def build(*results, layer=1):
    return document.build([document.kata_entry(r, hint_layer=layer) for r in results], jobs=2, duration=3.0)


def test_a_document_with_every_kind_of_kata_follows_the_schema():
    results = [
        fakes.result(54, "ppp"),
        fakes.result(55, "pfn", reason="grading ran past the kata's budget of 60 s and was stopped", end="budget"),
        fakes.result(56, "e", regraded=True),
        fakes.result(64, "", status="not built", reason="not built yet", end="none"),
    ]
    doc = build(*results)
    assert problems(doc, SCHEMA) == []
    assert json.loads(document.dumps(doc)) == doc


def test_the_schema_checker_catches_a_broken_document():
    doc = build(fakes.result(54, "f"))
    doc["katas"][0]["status"] = "maybe"
    del doc["katas"][0]["claims"][0]["task"]
    doc["version"] = 2
    found = "\n".join(problems(doc, SCHEMA))
    assert "$.version" in found and "$.katas[0].status" in found and "lacks 'task'" in found


def test_the_totals_count_graded_katas_only():
    doc = build(fakes.result(54, "pp"), fakes.result(55, "pf"), fakes.result(64, "", status="not built"))
    assert (doc["score"], doc["max_score"], doc["katas_passed"], doc["katas_graded"]) == (10, 20, 1, 2)
    assert doc["passed"] is False and doc["version"] == document.VERSION == 1
    assert doc["next"] == {
        "number": 55,
        "title": "A pipeline of threads and queues",
        "file": "katas/kata55_queue.py",
        "command": "tox -e kata55",
    }


def test_the_next_step_for_a_file_outside_katas_grades_that_file():
    doc = build(fakes.result(54, "f", submission="/tmp/alice.py"))
    assert doc["next"]["command"] == "python -m tools.scoreboard --kata 54 --submission /tmp/alice.py"


def test_tasks_count_their_claims():
    entry = document.kata_entry(fakes.result(54, "pff"))
    assert [(t["number"], t["claims_passed"], t["claims_total"]) for t in entry["tasks"]] == [
        (1, 1, 1),
        (2, 0, 1),
        (3, 0, 1),
    ]
    assert entry["tasks"][0]["title"] == "a counter that loses nothing"


def test_the_hint_is_for_the_first_failing_claims_task_and_absent_when_not_asked():
    entry = document.kata_entry(fakes.result(54, "pf"), hint_layer=2)
    assert entry["hint"]["task"] == 2 and entry["hint"]["claim"] == "test_claim_1"
    assert [h["kind"] for h in entry["hint"]["shown"]] == ["nudge", "closer"]
    assert document.kata_entry(fakes.result(54, "pf"))["hint"] is None
    assert document.kata_entry(fakes.result(54, "pp"), hint_layer=2)["hint"] is None
