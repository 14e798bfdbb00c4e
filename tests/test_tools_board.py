"""The text board, from fake results: each kata's line, the first failure and its hint, totals, colour rules."""

from __future__ import annotations

import io
import threading

import pytest

from graders.manifest import katas
from tests import fakes
from tools import board, document, hints

PLAIN = board.Style(color=False)


def doc(*results, layers=None, jobs=1):
    layers = layers or [1] * len(results)
    entries = [document.kata_entry(r, hint_layer=n) for r, n in zip(results, layers, strict=True)]
    return document.build(entries, jobs=jobs, duration=12.34)


def test_a_passing_and_a_failing_kata_as_a_learner_reads_them():
    text = board.render(doc(fakes.result(54, "ppp"), fakes.result(55, "pfp", message="The producer ran away.")), PLAIN)
    lines = text.splitlines()
    assert lines[0].startswith("✓ 54 Locks against data races")
    assert "3/3 claims" in lines[0] and "10/10 pts" in lines[0] and "1.5 s" in lines[0]
    assert lines[1].startswith("✗ 55 A pipeline of threads and queues") and "2/3 claims" in lines[1]
    assert "0/10 pts" in lines[1]
    assert lines[2] == "    ✗ test_claim_1  (task 2 · backpressure)"
    assert lines[3] == "      The producer ran away."
    assert lines[4].startswith("    Hint 1/3: queue.Queue() without a maxsize")
    assert "1/2 katas passed · 10/20 points · 12.3 s" in text
    assert (
        "Next kata: 55 · A pipeline of threads and queues\nEdit katas/kata55_queue.py and run `tox -e kata55`." in text
    )
    assert "\x1b[" not in text


def test_every_kata_passing_says_so_and_names_no_next_kata():
    text = board.render(doc(fakes.result(54, "ppp")), PLAIN)
    assert "Every kata graded passes." in text and "Next kata" not in text


def test_verbose_lists_every_claim_under_its_task():
    text = board.render(doc(fakes.result(54, "pfp")), PLAIN, verbose=True)
    assert "    Task 1 · a counter that loses nothing  1/1" in text
    assert "    Task 2 · a bank, one call at a time  0/1" in text
    assert "      ✓ test_claim_0  0.25 s" in text and "      ✓ test_claim_2  0.25 s" in text
    assert "      ✗ test_claim_1\n        2 of 4 increments were lost." in text


def test_revealed_hint_layers_are_all_shown_and_the_docs_layer_is_labelled():
    text = board.render(doc(fakes.result(54, "f"), layers=[3]), PLAIN)
    assert "Hint 1/3: self.count += by" in text and "Hint 2/3: Create one threading.Lock()" in text
    assert "Hint 3/3 (docs): https://docs.python.org/3/library/threading.html#lock-objects" in text
    assert "More hints" not in text  # nothing left to reveal
    assert "More hints:" in board.render(doc(fakes.result(54, "f"), layers=[1]), PLAIN)


def test_a_stopped_or_crashed_grading_says_why_under_the_kata():
    crashed = fakes.result(54, "pn", reason="the grading process ended early (exit status 0)", end="early")
    text = board.render(doc(crashed), PLAIN)
    assert "    (the grading process ended early (exit status 0))" in text


def test_a_kata_not_built_yet_says_so_and_is_left_out_of_the_totals():
    unbuilt = fakes.result(64, "", status="not built", reason="kata 64 is not built yet", end="none")
    results = doc(fakes.result(54, "p"), unbuilt)
    results["not_built"] = [64]
    text = board.render(results, PLAIN)
    assert "· 64 True parallelism with processes" in text and text.splitlines()[1].endswith("not built yet")
    assert "1/1 katas passed · 10/10 points" in text
    assert "Not built yet: 64 (they arrive in a later release)." in text


def test_a_kata_graded_again_alone_says_so():
    text = board.render(doc(fakes.result(54, "f", regraded=True)), PLAIN)
    assert "(graded again alone)" in text.splitlines()[0]


def test_colour_paints_marks_and_hints_and_never_the_words():
    text = board.render(doc(fakes.result(54, "p"), fakes.result(55, "f")), board.Style(color=True))
    assert "\x1b[32m✓\x1b[0m 54" in text and "\x1b[31m✗\x1b[0m 55" in text
    assert "\x1b[33mHint 1/3:\x1b[0m" in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "terminal", "expected"),
    [
        ({}, True, True),
        ({}, False, False),  # piped
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # empty means unset (no-color.org)
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),  # NO_COLOR wins, as in CPython
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_rules(env, terminal, expected):
    stream = Terminal() if terminal else io.StringIO()
    assert board.use_color(stream, env) is expected


def test_the_progress_line():
    assert board.progress_line(4, 10, ["55", "56"], 12.34, width=10) == "[████░░░░░░] 4/10 · grading 55, 56 · 12.3 s"
    assert board.progress_line(0, 0, [], 0, width=4) == "[████] 0/0 · 0.0 s"


def test_the_live_board_prints_blocks_in_board_order_whatever_the_order_they_finish_in():
    out = io.StringIO()
    entries = [document.kata_entry(fakes.result(n, "p")) for n in (52, 53, 54)]
    with board.LiveBoard(out, PLAIN, ["52", "53", "54"], progress=False) as live:
        live.started(2)
        live.finished(2, entries[2])
        assert out.getvalue() == ""  # 54 waits for 52 and 53
        live.finished(0, entries[0])
        assert out.getvalue().splitlines()[0].startswith("✓ 52")
        live.finished(1, entries[1])
    assert [line[:4] for line in out.getvalue().splitlines()] == ["✓ 52", "✓ 53", "✓ 54"]


def test_the_live_board_draws_its_progress_line_on_a_terminal_only_and_clears_it():
    out = Terminal()
    entry = document.kata_entry(fakes.result(54, "p"))
    with board.LiveBoard(out, PLAIN, ["54"], tick=0.01) as live:
        live.started(0)
        ticked = threading.Event()
        threading.Timer(0.05, ticked.set).start()
        ticked.wait(1)
        live.finished(0, entry)
    text = out.getvalue()
    assert "[" in text and "grading 54" in text and text.endswith("\r\x1b[K")
    assert "grading" not in board_text(io.StringIO(), entry)


def board_text(out, entry):
    with board.LiveBoard(out, PLAIN, ["54"]) as live:
        live.started(0)
        live.finished(0, entry)
    return out.getvalue()


def test_list_shows_every_kata_with_its_item():
    text = "\n".join(board.list_lines(katas(), PLAIN))
    for entry in katas():
        assert f"{entry.number} {entry.title}" in text and f"Item {entry.number}: {entry.item}" in text


def test_after_the_first_failing_kata_an_untouched_stub_takes_one_line():
    stub = "not implemented yet: Counter.value"
    results = [fakes.result(n, "ff", message=stub) for n in (53, 54)] + [fakes.result(55, "pf"), fakes.result(56, "f")]
    text = board.render(doc(*results), PLAIN)
    lines = text.splitlines()
    first_hint = " ".join(hints.layers(53, 1)[0].text.split()[:6])  # the board wraps long hints
    assert text.count("not implemented yet") == 1 and f"Hint 1/3: {first_hint}" in text
    line_54 = next(line for line in lines if line.startswith("✗ 54"))
    assert line_54.endswith("not started") and lines[lines.index(line_54) + 1].startswith("✗ 55")
    assert "Hint 1/3: queue.Queue() without a maxsize" in text  # started, so shown in full
    assert "2 of 4 increments were lost." in text
    live = io.StringIO()
    entries = [document.kata_entry(r, hint_layer=1) for r in results]
    with board.LiveBoard(live, PLAIN, ["53", "54", "55", "56"], progress=False) as printer:
        for index, entry in enumerate(entries):
            printer.finished(index, entry)
    assert live.getvalue() == text[: len(live.getvalue())]  # the live board prints the same blocks
