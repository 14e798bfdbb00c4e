"""Unit tests of the harness: each module does its one job, and says so in the learner's terms."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from graders import PYTEST_OPTIONS
from graders.harness import children, deadline, idle, interleave, messages
from graders.harness.aio import AsyncRendezvous, BlockingSpy, Heartbeat
from graders.harness.inflight import CallLog, Rendezvous
from graders.harness.lockstep import Lockstep
from graders.harness.settle import scheduler_state, settle
from graders.harness.site import ClaimOver, chain, depths, site
from graders.harness.submission import Submission
from graders.manifest import ROOT, kata


def module(tmp_path: Path, source: str, name: str = "learner_file") -> Submission:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return Submission(path)


# ---------------------------------------------------------------- messages


def test_a_message_never_exceeds_twelve_lines_and_names_the_item():
    messages.context.number, messages.context.item = 54, "Use Lock to Prevent Data Races in Threads"
    text = str(
        messages.failure(
            "It broke.",
            called="f()",
            contract="it works",
            evidence=[f"line {i}" for i in range(40)],
            idea="use a lock",
        )
    )
    assert len(text.splitlines()) == messages.MAX_LINES
    assert "more lines" in text and "Item 54: Use Lock" in text and text.startswith("It broke.")


# ---------------------------------------------------------------- submission


def test_a_missing_name_is_one_sentence_naming_the_file_and_the_name(tmp_path):
    learner = module(tmp_path, "def run(): pass\n")
    with pytest.raises(messages.ClaimFailed, match=r"learner_file.py has no `run_all`") as caught:
        learner.get("run_all")
    assert len(str(caught.value).splitlines()) <= 2


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("def f(:\n", "syntax error at line 1"),
        ("import sys\nsys.exit(0)\n", "called sys.exit()"),
        ("raise RuntimeError('boom')\n", "raised RuntimeError: boom while being imported (import_fails"),
    ],
)
def test_an_import_failure_is_reported_by_every_claim(tmp_path, source, words):
    learner = module(tmp_path, source, "import_fails")
    for _ in range(2):
        with pytest.raises(messages.ClaimFailed, match=re.escape(words)):
            learner.get("f")


def test_a_fresh_copy_is_a_separate_module(tmp_path):
    learner = module(tmp_path, "import threading\nLOCK = threading.Lock()\n")
    assert learner.load_fresh().LOCK is not learner.get("LOCK")


# ---------------------------------------------------------------- deadline


def test_a_hang_fails_with_the_stuck_line_of_every_thread(tmp_path):
    learner = module(
        tmp_path,
        """
        import threading
        def hang():
            worker = threading.Thread(target=threading.Event().wait, daemon=True)
            worker.start()
            threading.Event().wait(30)
    """,
    )
    with pytest.raises(messages.ClaimFailed) as caught:
        deadline.run(learner, learner.get("hang"), called="hang()", deadline=0.3)
    text = str(caught.value)
    assert "hang() did not return within 0.3 s" in text
    assert "your call: stuck at learner_file.py:6 `threading.Event().wait(30)`" in text
    assert "not in your code (in threading.wait)" in text


def test_the_stub_says_not_implemented_yet_with_the_qualified_name(tmp_path):
    learner = module(tmp_path, "class Bank:\n    def transfer(self):\n        raise NotImplementedError\n")
    with pytest.raises(messages.ClaimFailed, match=r"not implemented yet: Bank\.transfer"):
        deadline.run(learner, learner.get("Bank")().transfer, called="transfer()", deadline=5)


def test_threads_started_by_learner_code_are_not_daemons_by_default(tmp_path):
    learner = module(tmp_path, "import threading\ndef start():\n    return threading.Thread(target=print).daemon\n")
    assert deadline.run(learner, learner.get("start"), called="start()", deadline=5).value is False


# ---------------------------------------------------------------- inflight


def test_a_rendezvous_opens_only_when_all_parties_are_in_flight():
    gate, log = Rendezvous(3, timeout=5.0), CallLog()

    def call(label: str) -> None:
        with log.record(label):
            gate.wait()

    threads = [threading.Thread(target=call, args=(f"c{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gate.opened and log.max_in_flight == 3
    assert len(log.timeline()) == 4


def test_a_rendezvous_breaks_for_everyone_once_one_waiter_gives_up():
    gate = Rendezvous(2, timeout=0.1)
    assert gate.wait() is False and gate.wait() is False
    assert not gate.opened and gate.most_waiting == 1


# ---------------------------------------------------------------- children


def test_a_process_orphaned_by_a_shell_is_found_by_its_mark():
    with children.marked():
        done = subprocess.run(
            ["sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True, check=True
        )
        orphan = int(done.stdout)
        try:
            found = children.orphans()
            assert [c.pid for c in found] == [orphan] and "sleep" in found[0].command
        finally:
            children.kill(found)
    with children.marked():
        assert children.orphans() == []  # a new mark: the last block's processes are not this one's


def test_the_kernels_child_lists_find_what_a_scan_of_every_process_finds(monkeypatch):
    # the kernel lists a child under the thread that started it, or, once that thread has ended, another one
    started: list[subprocess.Popen[bytes]] = []
    spawned, done = threading.Semaphore(0), threading.Event()

    def spawn(then_wait: bool) -> None:
        started.append(subprocess.Popen(["sleep", "30"]))
        spawned.release()
        if then_wait:
            done.wait()

    threads = [threading.Thread(target=spawn, args=(i == 0,)) for i in range(3)]
    for thread in threads:
        thread.start()
        spawned.acquire()
    for ended in threads[1:]:  # no thread may end while the lists are read: the reading would fall back
        ended.join()
    started[1].kill()
    try:
        assert children._listed_children(os.getpid()) is not None  # this kernel keeps the lists
        listed = children.children()
        monkeypatch.setattr(children, "_listed_children", lambda parent: None)
        scanned = children.children()
        assert set(listed) == set(scanned) and {p.pid for p in started} <= set(listed)
    finally:
        done.set()
        for thread in threads:
            thread.join()
        for child in started:
            child.kill()
            child.wait()


def test_a_killed_child_that_is_not_reaped_is_a_zombie():
    with children.watch() as watch:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        child.kill()
        for _ in range(200):
            left = watch.left_behind()
            if left and left[0].zombie:
                break
            threading.Event().wait(0.01)
        assert [c.pid for c in left] == [child.pid] and "never reaped" in left[0].describe()
        child.wait()
        assert watch.left_behind() == []
    assert watch.spawned[0].args[:2] == [sys.executable, "-c"]


# ---------------------------------------------------------------- interleave


COUNTERS = """
    import threading
    class Racy:
        def __init__(self):
            self.count = 0
        def increment(self):
            self.count += 1
    class Locked:
        def __init__(self):
            self.count = 0
            self.lock = threading.Lock()
        def increment(self):
            with self.lock:
                self.count += 1
"""


@pytest.mark.parametrize(("kind", "expected"), [("Racy", "violated"), ("Locked", "holds")])
def test_forced_interleavings_find_a_lost_update_every_time(tmp_path, kind, expected):
    learner = module(tmp_path, COUNTERS, f"counters_{kind.lower()}")
    for _ in range(3):
        with interleave.patched(learner) as fresh:
            finding = interleave.explore(
                fresh,
                setup=lambda m: getattr(m, kind)(),
                workers={
                    "increment() #1": lambda c: c.increment(),
                    "increment() #2": lambda c: c.increment(),
                },
                invariant=lambda c: None if c.count == 2 else f"count is {c.count}",
            )
        assert finding.kind == expected
    if expected == "violated":
        assert finding.violation == "count is 1"
        assert any("increment() #1 |" in line and "self.count += 1" in line for line in finding.evidence)


BANKS = """
    import threading
    class Bank:
        def __init__(self, balances, torn=False, argument_order=False):
            self.balances = dict(balances)
            self.locks = {name: threading.Lock() for name in balances}
            self.torn, self.argument_order = torn, argument_order
        def transfer(self, src, dst, amount):
            first, second = (src, dst) if self.argument_order else sorted((src, dst))
            with self.locks[first], self.locks[second]:
                self.balances[src] -= amount
                self.balances[dst] += amount
        def total(self):
            if self.torn:
                total = 0
                for name in sorted(self.locks):
                    with self.locks[name]:
                        total += self.balances[name]
                return total
            names = sorted(self.locks)
            for name in names:
                self.locks[name].acquire()
            try:
                return sum(self.balances.values())
            finally:
                for name in names:
                    self.locks[name].release()
"""


class Scene:
    def __init__(self, m, **options) -> None:
        self.bank = m.Bank({"a": 5, "b": 5}, **options)
        self.totals: list[int] = []


SNAPSHOT = {
    "transfer('a', 'b', 3)": lambda s: s.bank.transfer("a", "b", 3),
    "total()": lambda s: s.totals.append(s.bank.total()),
}


@pytest.mark.parametrize(("torn", "expected"), [(True, "violated"), (False, "holds")])
def test_one_thread_switch_finds_a_torn_snapshot_every_time(tmp_path, torn, expected):
    """The race frontrun's DPOR once missed in both thread orders: total() locks one account at a time,
    so a whole transfer fits between its two reads.  Fixed schedules: same answer, same interleaving,
    every run."""
    learner = module(tmp_path, BANKS, "banks")
    seen = set()
    for _ in range(3):
        with interleave.patched(learner) as fresh:
            finding = interleave.explore(
                fresh,
                setup=lambda m: Scene(m, torn=torn),
                workers=SNAPSHOT,
                invariant=lambda s: None if s.totals == [10] else f"total() returned {s.totals[0]}",
            )
        seen.add((finding.kind, finding.interleavings, tuple(finding.evidence), finding.violation))
    assert len(seen) == 1
    assert finding.kind == expected
    if torn:
        assert finding.violation == "total() returned 13"
        assert finding.evidence == [
            "total()               | paused at banks.py:17  with self.locks[name]:",
            "transfer('a', 'b', 3) | ran from start to end",
            "total()               | went on to the end",
        ]


def test_one_thread_switch_finds_a_lock_order_deadlock_and_names_the_locks(tmp_path):
    learner = module(tmp_path, BANKS, "banks")
    with interleave.patched(learner) as fresh:
        finding = interleave.explore(
            fresh,
            setup=lambda m: m.Bank({"a": 5, "b": 5}, argument_order=True),
            workers={"a->b": lambda b: b.transfer("a", "b", 1), "b->a": lambda b: b.transfer("b", "a", 1)},
            invariant=lambda b: None,
            name="bank",
        )
    assert finding.kind == "deadlock"
    assert sorted(finding.evidence) == [
        "a->b waits for bank.locks['b'], held by b->a",
        "b->a waits for bank.locks['a'], held by a->b",
    ]


def test_a_pause_just_after_an_own_frame_or_grader_step_is_not_tried_twice():
    ops = ["LOAD_ATTR", "CALL", "RESUME", "LOAD_FAST", "LOAD_ATTR", "STORE_FAST", "BINARY_SUBSCR", "RETURN_VALUE"]
    files = ["grader.py"] * 2 + ["learner.py"] * 6
    steps = [interleave.Step(op, file, 1) for op, file in zip(ops, files, strict=True)]
    assert interleave._pause_points(steps, "learner.py") == [0, 5, 7]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="frontrun uses sys.monitoring from 3.12 on")
def test_the_standard_library_turns_its_callback_off_and_scheduled_code_is_scheduled():
    scheduled = []
    *_, on_instruction = interleave._monitoring_callbacks(
        get_thread_id=lambda: 0,
        on_opcode=lambda code, offset, frame, thread: scheduled.append((frame.f_code, thread)),
        remove_shadow_stack=lambda frame: None,
    )
    assert on_instruction(threading.Thread.start.__code__, 0) is sys.monitoring.DISABLE

    def learner_code() -> object:
        return on_instruction(learner_code.__code__, 0)

    assert learner_code() is None
    assert scheduled == [(learner_code.__code__, 0)]


def test_locks_are_named_by_their_path_from_the_state():
    class Bank:
        def __init__(self) -> None:
            self._locks = {"a": threading.Lock(), "b": threading.Lock()}

    bank = Bank()
    names = interleave.lock_names(bank, "bank")
    assert names[id(bank._locks["b"])] == "bank._locks['b']"


# ---------------------------------------------------------------- lockstep

COUNTDOWNS = """
    import threading
    def count_down(parties, meet, locked):
        state = {"left": parties}
        lock = threading.Lock()
        def work():
            meet()
            if locked:
                with lock:
                    state["left"] -= 1
            else:
                state["left"] -= 1
        threads = [threading.Thread(target=work) for _ in range(parties)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return state["left"]
"""


@pytest.mark.parametrize(("locked", "left"), [(False, "lost"), (True, 0)])
def test_lockstep_makes_threads_the_learner_starts_lose_an_unguarded_update_every_time(tmp_path, locked, left):
    learner = module(tmp_path, COUNTDOWNS, f"countdown_{locked}")
    for _ in range(3):
        gate = Rendezvous(4, timeout=5.0)
        with Lockstep(learner) as scheduler:
            outcome = deadline.run(learner, learner.get("count_down"), 4, gate.wait, locked, called="c", deadline=20)
        assert scheduler.handovers > 0
        assert (outcome.value > 0) if left == "lost" else (outcome.value == 0)


SEEN_SET = """
    def discover(seen, found, page, locked, lock):
        if locked:
            with lock:
                if page not in seen:
                    seen.add(page)
                    found.append(page)
        elif page not in seen:
            seen.add(page)
            found.append(page)
"""


@pytest.mark.parametrize(("locked", "queued"), [(False, 2), (True, 1)])
def test_line_up_makes_a_check_then_add_race_on_every_run(tmp_path, locked, queued):
    learner = module(tmp_path, SEEN_SET, f"seen_{locked}")
    discover = learner.get("discover")
    for _ in range(3):
        seen, found, lock = set(), [], threading.Lock()
        with Lockstep(learner) as scheduler:

            def race(seen: set, found: list, lock: threading.Lock) -> None:
                scheduler.line_up(2)
                discover(seen, found, "c", locked, lock)

            threads = [threading.Thread(target=race, args=(seen, found, lock)) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
        assert len(found) == queued


def test_line_up_holds_only_its_callers_and_gives_up_after_its_patience(tmp_path):
    learner = module(tmp_path, SEEN_SET, "seen_alone")
    with Lockstep(learner) as scheduler:

        def alone() -> None:
            scheduler.line_up(2, patience=0.2)
            learner.get("discover")(set(), [], "c", False, None)

        start = time.monotonic()
        outcome = deadline.run(learner, alone, called="d", deadline=5)
    assert outcome.value is None and 0.15 < time.monotonic() - start < 2.0


# ---------------------------------------------------------------- idle

POLLERS = """
    import queue, threading, time
    def wait_for_one(q, polling, ready):
        ready.set()
        if not polling:
            return q.get()
        while True:
            try:
                return q.get_nowait()
            except queue.Empty:
                time.sleep(0.005)
"""


def test_settle_returns_once_a_thread_blocks_and_waits_while_it_spins():
    blocked, stop = threading.Event(), threading.Event()

    def spin_then_block() -> None:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass
        blocked.set()
        stop.wait()

    thread = threading.Thread(target=spin_then_block)
    thread.start()
    try:
        settle(thread, give_up=5.0)
        assert blocked.is_set(), "settle returned while the thread was still on the CPU"
        assert scheduler_state(thread.native_id) != "R"
    finally:
        stop.set()
        thread.join()
    started = time.monotonic()
    settle(thread)  # an ended thread settles at once
    assert time.monotonic() - started < 0.5
    deadline = time.monotonic() + 5  # the OS thread outlives join() by a moment (it is still exiting)
    while scheduler_state(thread.native_id) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert scheduler_state(thread.native_id) is None


@pytest.mark.parametrize("polling", [False, True])
def test_a_quiet_window_tells_a_polling_thread_from_a_blocked_one(tmp_path, polling):
    learner = module(tmp_path, POLLERS, f"poller_{polling}")
    q, ready = queue.Queue(), threading.Event()
    with idle.WakeCounter(learner) as counter:
        thread = threading.Thread(target=learner.get("wait_for_one"), args=(q, polling, ready), name="waiter")
        thread.start()
        ready.wait(5)
        time.sleep(0.05)
        activities = counter.quiet_window(0.3)
    q.put("item")
    thread.join(5)
    busy = idle.busy_threads(activities, 0.3)
    assert [a.name for a in busy] == (["waiter"] if polling else [])
    if polling:
        with pytest.raises(messages.ClaimFailed, match=r"polling instead of blocking[\s\S]*poller_True.py:\d+"):
            idle.expect_idle(learner, activities, 0.3, situation="nothing happened", called="c", idea="block")


# ---------------------------------------------------------------- fake webs


def test_the_model_crawl_gives_shortest_depths_within_max_depth():
    graph = {"root": ["a", "c"], "a": ["b"], "b": ["c"], "c": ["d"]}
    assert depths(graph, "root") == {"root": 0, "a": 1, "c": 1, "b": 2, "d": 2}
    assert depths(graph, "root", 1) == {"root": 0, "a": 1, "c": 1}
    assert set(depths(chain(5), "root")) == {"root", "p1", "p2", "p3", "p4"}


def test_a_fake_web_records_calls_and_stops_a_crawl_once_the_claim_is_over():
    with site({"root": ["a"], "a": []}) as fake:
        assert list(fake("root")) == ["a"] and list(fake("root")) == ["a"]
    assert fake.fetched_twice() == ["root"] and fake.worker_threads() == 1
    with pytest.raises(ClaimOver):
        fake("a")


def test_an_async_rendezvous_opens_only_with_all_parties_and_breaks_once():
    async def scenario(parties: int) -> tuple[bool, int]:
        gate = AsyncRendezvous(parties, timeout=0.2)
        results = await asyncio.gather(*(gate.wait() for _ in range(3)))
        return all(results), gate.most_waiting

    assert asyncio.run(scenario(3)) == (True, 3)
    assert asyncio.run(scenario(4)) == (False, 3)


def test_the_heartbeat_and_the_sleep_spy_catch_a_blocked_loop(tmp_path):
    learner = module(tmp_path, "import time\nasync def nap():\n    time.sleep(0.3)\n", "napper")

    async def scenario() -> tuple[float, list[str]]:
        heartbeat = Heartbeat()
        heartbeat.start()
        await asyncio.sleep(0.02)
        with BlockingSpy(learner) as spy:
            await learner.get("nap")()
        await asyncio.sleep(0.02)
        await heartbeat.stop()
        return heartbeat.worst, spy.calls

    worst, calls = asyncio.run(scenario())
    assert worst > 0.2 and calls == ["time.sleep() at napper.py:3 `time.sleep(0.3)`"]


def test_the_guard_names_a_patched_module_function_and_a_patched_class_method():
    import threading
    import time

    from graders.harness import guard

    snapshot = guard.Snapshot.take()
    original_sleep, original_start = time.sleep, threading.Thread.start
    try:
        time.sleep = lambda seconds: None
        threading.Thread.start = lambda self: self.run()
        assert snapshot.replaced() == ["threading.Thread.start", "time.sleep"]
    finally:
        time.sleep, threading.Thread.start = original_sleep, original_start
    assert snapshot.replaced() == []


def test_the_guard_lets_a_submission_install_its_own_thread_excepthook():
    import threading

    from graders.harness import guard

    snapshot, original = guard.Snapshot.take(), threading.excepthook
    try:
        threading.excepthook = lambda args: None
        assert snapshot.replaced() == []
    finally:
        threading.excepthook = original


def test_grading_loads_pytest_timeout_and_no_other_installed_plugin():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(kata(56).grader), *PYTEST_OPTIONS, "--co", "-q", "--trace-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    loaded = set(re.findall(r"PLUGIN registered: <module '([\w.]+)'", done.stdout))
    assert "pytest_timeout" in loaded, done.stdout[-2000:]
    assert not loaded & {"_hypothesis_pytestplugin", "xdist.plugin", "frontrun.pytest_plugin"}, sorted(loaded)


def test_only_the_graders_that_generate_examples_import_hypothesis():
    code = "import sys, graders.conftest, graders.test_kata53_threads; print('hypothesis' in sys.modules)"
    without = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    code = "import graders.harness.properties; from hypothesis import settings; s = settings.default; "
    code += "print(s.derandomize, s.database, s.max_examples, s.deadline)"
    profile = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "KATA_HYPOTHESIS_PROFILE"},
    )
    assert without.stdout.split() == ["False"], without.stderr
    assert profile.stdout.split() == ["True", "None", "40", "None"], profile.stderr
