"""The Markdown board of the job summaries, rendered from scoreboard JSON (no grader runs here)."""

from __future__ import annotations

import json

from tests.test_tools_classroom import entry
from tools import board_markdown


def test_the_board_has_a_row_per_kata_totals_and_the_first_failure():
    failing = entry(["passed", "failed", "failed"])
    failing["claims"][1]["message"] = "lost an update | with ``` fences"
    passing = {**entry(["passed"] * 2), "number": 53, "title": "Threads for blocking I/O"}
    text = board_markdown.render([passing, failing])
    assert "**1/2 katas passed, 10/20 points**" in text
    assert "| ✅ | 53 · Threads for blocking I/O | 2/2 | 10/10 | 1.0 s |" in text
    assert "| ❌ | 54 · Locks against data races | 1/3 | 0/10 | 1.0 s |" in text
    assert "<summary>54 · Locks against data races: task 2 · claim 1</summary>" in text
    assert "````text\nlost an update | with ``` fences\n````" in text


def test_partial_credit_counts_each_passing_claims_share():
    text = board_markdown.render([entry(["passed", "failed"])], mode="partial")
    assert "0/1 katas passed, 5/10 points** (partial credit per claim)" in text


def test_several_files_make_one_board_and_an_unreadable_one_is_named(tmp_path):
    for number in (55, 54):
        document = {"version": 1, "katas": [{**entry(["passed"]), "number": number}]}
        (tmp_path / f"kata{number}.json").write_text(json.dumps(document))
    (tmp_path / "broken.json").write_text("{")
    katas, problems = board_markdown.load(sorted(tmp_path.glob("*.json")))
    assert [k["number"] for k in katas] == [54, 55]
    assert len(problems) == 1 and "broken.json" in problems[0]
    assert "broken.json" in board_markdown.render(katas, problems=problems)
