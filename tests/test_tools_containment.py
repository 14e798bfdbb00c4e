"""Limits, sweeping and the snapshot of the project's files that keep a grading contained."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time

from tools import containment
from tools.integrity import Snapshot


def test_a_marked_process_that_left_the_session_and_ignores_sigterm_is_swept():
    mark = containment.new_mark()
    code = "import os, signal, time; os.setsid(); signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, containment.MARK: mark})
    deadline = time.monotonic() + 10
    while not containment.marked(mark) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert containment.marked(mark) == [child.pid]
    assert containment.sweep(mark) == 1
    child.wait(timeout=5)  # already reaped by the sweep when it is our own child
    assert containment.marked(mark) == []


def test_usage_over_a_limit_says_which_and_by_how_much():
    assert containment.Usage(3, 2**30).excess() is None
    assert "fork bomb" in containment.Usage(containment.PROCESSES + 1, 0).excess()
    assert "3.0 GB of memory" in containment.Usage(1, 3 * 2**30).excess()


def test_usage_counts_the_processes_of_a_session():
    script = "import sys, time; print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"  # the interpreter is loaded: measured before, it was not
        used = containment.usage(child.pid)
        assert used.processes == 1 and used.memory > 2**20
    finally:
        child.kill()
        child.wait()


def test_signals_are_named_in_the_learners_terms():
    assert "64 MB" in containment.signal_reason(signal.SIGXFSZ)
    assert containment.signal_reason(signal.SIGKILL) == "killed by SIGKILL"


def test_limits_are_set_on_the_running_process_and_inherited():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        containment.limit(child.pid)
        assert resource.prlimit(child.pid, resource.RLIMIT_NOFILE) == (containment.OPEN_FILES,) * 2
        assert resource.prlimit(child.pid, resource.RLIMIT_FSIZE) == (containment.FILE_SIZE,) * 2
    finally:
        child.communicate(b"")


def test_a_snapshot_reports_and_undoes_edits_to_the_graders(tmp_path):
    (tmp_path / "graders").mkdir()
    grader = tmp_path / "graders" / "test_kata99.py"
    grader.write_text("def test_claim(): assert False\n")
    (tmp_path / "tests").mkdir()
    before = Snapshot.take(tmp_path)
    grader.write_text("def test_claim(): pass\n")
    (tmp_path / "graders" / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests" / "planted.py").write_text("")
    after = Snapshot.take(tmp_path)
    changed = before.changes(after)
    assert [c.rpartition("/")[2] for c in changed] == ["pytest.ini", "test_kata99.py", "planted.py"]
    before.restore(after)
    assert grader.read_text() == "def test_claim(): assert False\n"
    assert not (tmp_path / "graders" / "pytest.ini").exists()
    assert Snapshot.take(tmp_path).files == before.files
