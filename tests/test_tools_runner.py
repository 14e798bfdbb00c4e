"""Grading many: results in order whatever the finishing order, failures confirmed alone, Ctrl-C stops everything."""

from __future__ import annotations

import threading
import time

from graders.manifest import ROOT, kata
from tests import fakes
from tools import grading, runner


class FakeGrader:
    """Grades kata N as ``verdicts[N]`` after ``delays[N]`` seconds, recording how many gradings overlap."""

    def __init__(self, verdicts, delays=None, messages=None):
        self.verdicts, self.delays, self.messages = verdicts, delays or {}, messages or {}
        self.lock = threading.Lock()
        self.running = 0
        self.overlap: list[tuple[int, int]] = []  # (kata, gradings running when it started)

    def __call__(self, entry, submission):
        with self.lock:
            self.running += 1
            self.overlap.append((entry.number, self.running))
        time.sleep(self.delays.get(entry.number, 0.0))
        with self.lock:
            self.running -= 1
        message = self.messages.get(entry.number, "2 of 4 increments were lost.")
        return fakes.result(entry.number, self.verdicts[entry.number], message=message)


def jobs(*numbers):
    return [runner.Job(kata(n)) for n in numbers]


def test_sequential_grading_reports_each_kata_in_order():
    fake = FakeGrader({52: "p", 53: "f", 54: "p"})
    done = []
    results = runner.grade_all(jobs(52, 53, 54), grade=fake, on_done=lambda i, r: done.append((i, r.number)))
    assert [r.number for r in results] == [52, 53, 54] and done == [(0, 52), (1, 53), (2, 54)]
    assert max(n for _, n in fake.overlap) == 1 and not any(r.regraded for r in results)


def test_parallel_grading_returns_results_in_job_order_whatever_finishes_first():
    fake = FakeGrader({52: "p", 53: "p", 54: "p"}, delays={52: 0.3, 53: 0.0, 54: 0.1})
    finished = []
    results = runner.grade_all(jobs(52, 53, 54), workers=2, grade=fake, on_done=lambda i, r: finished.append(i))
    assert [r.number for r in results] == [52, 53, 54]
    assert finished[0] != 0  # 52 was slowest, yet it is first in the results
    assert max(n for _, n in fake.overlap) == 2


def test_a_failure_is_graded_once_unless_regrading_alone_is_asked_for():
    fake = FakeGrader({52: "p", 53: "f", 54: "p"}, delays={52: 0.2, 53: 0.05, 54: 0.2})
    once = runner.grade_all(jobs(52, 53, 54), workers=2, grade=fake)
    assert not any(r.regraded for r in once) and [n for n, _ in fake.overlap].count(53) == 1
    fake = FakeGrader({52: "p", 53: "f", 54: "p"}, delays={52: 0.2, 53: 0.05, 54: 0.2})
    results = runner.grade_all(jobs(52, 53, 54), workers=2, grade=fake, regrade=True)
    assert [r.regraded for r in results] == [False, True, False]
    assert [n for n, _ in fake.overlap].count(53) == 2
    assert fake.overlap[-1] == (53, 1)  # the second grading of 53 ran with nothing else


def test_failures_no_load_explains_are_not_graded_twice():
    messages = {53: "not implemented yet: fetch_all", 54: "katas/kata54_lock.py has a syntax error at line 3: x."}
    fake = FakeGrader({53: "f", 54: "f"}, messages=messages)
    results = runner.grade_all(jobs(53, 54), workers=2, grade=fake, regrade=True)
    assert [n for n, _ in fake.overlap].count(53) == 1 and not any(r.regraded for r in results)
    assert not runner.load_may_explain(fakes.result(54, "pn", end="early"))
    assert runner.load_may_explain(fakes.result(54, "pn", end="budget"))


def test_jobs_are_capped_at_one_grading_per_cpu():
    cpus = runner.cpu_count()
    assert runner.effective_jobs(1) == (1, "")
    workers, note = runner.effective_jobs(cpus + 3)
    assert workers == cpus and f"has {cpus} CPU" in note


def test_stop_all_ends_a_grading_in_flight_and_the_result_says_it_was_stopped():
    hanging = ROOT / "tests" / "hostile" / "kata54_deadlocks.py"
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(result=grading.grade(kata(54), hanging)))
    start = time.monotonic()
    worker.start()
    while not grading._running and time.monotonic() - start < 10:
        time.sleep(0.02)
    time.sleep(0.3)
    grading.stop_all()
    worker.join(10)
    result = outcome["result"]
    assert result.end == "stopped" and not result.passed and "interrupted" in result.reason
    assert time.monotonic() - start < 5  # the deadlock would hold the first claim for 5 s
    assert not grading._running
