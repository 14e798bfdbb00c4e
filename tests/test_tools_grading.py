"""The grading tool trusts only records that carry its secret, and cannot be crashed by the file's contents."""

from __future__ import annotations

import json
import signal

import pytest

from tools.grading import KataResult, _judge, _read_records


def line(record: dict, token: str = "secret") -> str:
    return json.dumps({**record, "token": token}) + "\n"


def test_records_without_the_secret_or_of_the_wrong_shape_are_a_forgery(tmp_path):
    path = tmp_path / "results.jsonl"
    good = line({"event": "start", "id": "t::a"})
    for planted in (
        line({"event": "claim", "id": "t::a", "status": "passed"}, token="guess"),
        line({"event": "claim", "status": "passed"}),
        line({"event": "collected", "claims": [{"name": "no id"}]}),
        "[1, 2, 3]\n",
        "not json\n",
    ):
        path.write_text(good + planted)
        records, forged = _read_records(path, "secret")
        assert forged and records == [json.loads(good)], planted


def test_a_record_cut_short_by_a_kill_is_not_a_forgery(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(line({"event": "start", "id": "t::a"}) + '{"event": "claim", "id": "t::a", "sta')
    records, forged = _read_records(path, "secret")
    assert not forged and [r["event"] for r in records] == ["start"]


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (-signal.SIGSEGV, ["crashed", "segmentation fault", "or, if your code has none, the grader's"]),
        (-signal.SIGKILL, ["ended early", "sigkill", "the submission ended the interpreter"]),
        (0, ["ended early", "exit status 0"]),
    ],
)
def test_a_grading_that_ends_early_says_how_and_a_crash_may_be_the_graders(status, words):
    result = KataResult(57, "thread_budget", "Pool", 10, "katas/kata57.py", "failed")
    records = [{"event": "collected", "claims": [{"id": "t::a", "name": "test_a"}]}, {"event": "start", "id": "t::a"}]
    _judge(result, records, status, 60.0, "")
    assert result.end == "early" and not result.passed
    assert all(w in result.reason.lower() for w in words), result.reason
