"""Practice modes: the watch loop reacting to a save, Ctrl-C, and the interview's timed session and report."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time

from graders.manifest import ROOT, kata, katas
from tests import fakes
from tools import board, hints, interview, practice, watch

PLAIN = board.Style(color=False)
REFERENCE = ROOT / "tests" / "references" / "kata54" / "one_lock.py"


def save(path, text):
    """Write like an editor, and make the save visible to stat even within one clock tick."""
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# watch


def test_the_watch_loop_grades_at_start_and_again_on_each_save(tmp_path):
    path = tmp_path / "kata54_lock.py"
    path.write_text("first")
    shown: queue.Queue[tuple[str, dict]] = queue.Queue()
    graded = []

    def grader(entry, file):
        graded.append(file.read_text())
        return fakes.result(entry.number, "p" if file.read_text() == "fixed" else "f")

    watcher = watch.Watcher([watch.Target(kata(54), path)], lambda t, e: shown.put((t.path.name, e)), grader=grader)
    stop = threading.Event()
    loop = threading.Thread(target=watcher.run, args=(stop,), kwargs={"poll": 0.01})
    loop.start()
    try:
        assert shown.get(timeout=5)[1]["status"] == "failed"
        save(path, "fixed")
        name, entry = shown.get(timeout=5)
        assert (name, entry["status"]) == ("kata54_lock.py", "passed")
    finally:
        stop.set()
        loop.join(5)
    assert graded == ["first", "fixed"] and not loop.is_alive()


def test_a_look_without_a_save_grades_nothing_and_several_files_grade_the_last_saved(tmp_path):
    paths = [tmp_path / f"kata{n}.py" for n in (54, 55)]
    for path in paths:
        path.write_text("x")
    graded = []
    watcher = watch.Watcher(
        [watch.Target(kata(54), paths[0]), watch.Target(kata(55), paths[1])],
        lambda t, e: None,
        grader=lambda entry, file: graded.append(entry.number) or fakes.result(entry.number, "f"),
    )
    watcher.first()
    assert len(graded) == 1 and watcher.step() is None
    save(paths[0], "y")
    assert watcher.step()["number"] == 54 and graded[-1] == 54


def test_watch_advances_the_hint_with_each_change_of_the_learners_file(tmp_path, monkeypatch):
    monkeypatch.setattr(hints, "STATE", tmp_path / "hints.json")
    path = tmp_path / "kata54_lock.py"
    path.write_text("v1")
    entries = []
    watcher = watch.Watcher(
        [watch.Target(kata(54), path)],
        lambda t, e: entries.append(e),
        grader=lambda entry, file: fakes.result(54, "f"),
        state=hints.HintState(),
    )
    watcher.first()
    save(path, "v2")
    watcher.step()
    assert [e["hint"]["layer"] for e in entries] == [1, 2]


def test_the_watch_screen_is_cleared_on_a_terminal_and_ruled_in_a_pipe():
    entry = fakes.result(54, "p")
    from tools import document

    target = watch.Target(kata(54), kata(54).stub)
    piped, terminal = io.StringIO(), io.StringIO()
    watch.Screen(piped, PLAIN, clear=False).show(target, document.kata_entry(entry))
    watch.Screen(terminal, PLAIN, clear=True).show(target, document.kata_entry(entry))
    assert piped.getvalue().startswith("─" * 60) and "\x1b[2J" not in piped.getvalue()
    assert terminal.getvalue().startswith("\x1b[2J\x1b[H")
    assert "Kata 54 passes every claim." in piped.getvalue()
    assert "Ctrl-C to quit" in piped.getvalue()


def test_watch_grades_a_real_save_and_quits_cleanly_on_ctrl_c(tmp_path):
    path = tmp_path / "kata54_lock.py"
    path.write_bytes(kata(54).stub.read_bytes())
    # The process running this test may ignore SIGINT (a pytest worker in one .ci/run did), and an ignored signal
    # stays ignored across exec: the watcher must start with Ctrl-C working, however this test was started.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.practice", "watch", "54", "--submission", str(path), "--poll", "0.1"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    def wait_for(prefix: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if lines.get(timeout=deadline - time.monotonic()).startswith(prefix):
                return
        raise AssertionError(f"no line starting with {prefix!r}")

    try:
        wait_for("✗ 54 Locks against data races")
        save(path, REFERENCE.read_text())
        wait_for("✓ 54 Locks against data races")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        wait_for("Stopped watching.")
    finally:
        process.kill()
        process.wait()


# interview


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def session(tmp_path, grader, minutes=10.0):
    clock = Clock()
    sitting = interview.Interview(kata(54), tmp_path / "session", minutes, grader=grader, clock=clock)
    sitting.start()
    return sitting, clock


def by_content(entry, snapshot):
    text = snapshot.read_text()
    return fakes.result(entry.number, "ppp" if "fixed" in text else "pff", message="Money was lost.")


def test_an_interview_grades_saves_and_requests_freezes_at_time_up_and_reports(tmp_path):
    sitting, clock = session(tmp_path, by_content)
    assert sitting.file.read_text() == kata(54).stub.read_text()  # a fresh copy of the stub
    clock.now += 60
    assert sitting.request("asked").number == 1
    sitting.settle()
    clock.now += 30
    assert sitting.take_hint() is not None
    clock.now += 30
    save(sitting.file, "fixed, in part")
    assert sitting.tick()  # the save is seen and queued
    clock.now += 600
    assert not sitting.tick()  # time is up
    final = sitting.finish("time up")
    save(sitting.file, "edited after the end")
    assert not sitting.tick() and sitting.request() is None  # frozen
    assert final.snapshot.read_text() == "fixed, in part" and final.result.passed
    report = sitting.report()
    assert "# Interview report · kata 54 · Locks against data races" in report
    assert "| Time used | 10:00 (time up) |" in report
    assert "| 01:00 | 1 | asked | 1/3 `███░░░░░░░` | 1 |" in report
    assert "| 02:00 | 2 | saved | 3/3 `██████████` | 1, 2, 3 |" in report
    assert "| 12:00 | 3 | time up |" not in report and "| 10:00 | 3 | time up | 3/3" in report
    assert "| First full pass | 02:00 (attempt 2) |" in report
    assert "| Hints taken | 1 |" in report and "| 01:30 | 2 | nudge | Check the arguments" in report
    assert "## Final messages" not in report  # everything passed at the end


def test_an_interview_finished_early_reports_the_final_failing_messages(tmp_path):
    sitting, clock = session(tmp_path, by_content, minutes=30)
    clock.now += 125
    sitting.finish()
    report = sitting.report()
    assert "| Time used | 02:05 (finished early) |" in report and "| Final result | ✗ failed, 1/3 claims |" in report
    assert "### ✗ test_claim_1 (task 2)\n\n```text\nMoney was lost.\n```" in report
    assert "| First full pass | none |" in report and "| Hints taken | 0 |" in report


def test_hints_in_an_interview_go_layer_by_layer_for_the_failing_task_and_run_out(tmp_path):
    sitting, _ = session(tmp_path, by_content)
    sitting.request()
    sitting.settle()
    kinds = [sitting.take_hint() for _ in range(4)]
    assert [(h.task, h.hint.kind) for h in kinds[:3]] == [(2, "nudge"), (2, "closer"), (2, "docs")]
    assert kinds[3] is None


def test_random_is_the_same_kata_for_the_same_seed():
    built = [k for k in katas() if k.built]
    assert practice.pick(built, 7) == practice.pick(built, 7)
    assert len({practice.pick(built, seed).number for seed in range(40)}) > 1


def test_an_interview_from_the_command_line_ends_at_time_up_with_a_report(tmp_path):
    command = ["interview", "--kata", "54", "--minutes", "0.04", "--dir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "tools.practice", *command],
        cwd=ROOT,
        input="h\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "Interview · kata 54 · Locks against data races" in done.stdout
    assert "Hint 1/3 (task 1): self.count += by" in done.stdout
    assert "Time up: the file is frozen." in done.stdout
    report = (tmp_path / "report.md").read_text()
    assert "(time up)" in report and "| Hints taken | 1 |" in report and "not implemented yet" in report
    assert (tmp_path / "attempts" / "final.py").read_text() == kata(54).stub.read_text()


def test_an_interview_starts_from_the_given_stub_and_tells_a_worked_on_file(tmp_path):
    start = tmp_path / "given.py"
    start.write_text(kata(54).stub.read_text())
    sitting = interview.Interview(kata(54), tmp_path / "s", 1, grader=by_content, stub=start)
    sitting.start()
    assert sitting.file.read_text() == start.read_text()
    assert f"| Started from | `{start}` |" in sitting.report()
    assert not interview.looks_worked_on(kata(54).stub) and interview.looks_worked_on(REFERENCE)
