"""Kata 57 · A bounded worker pool: the claims.

Jobs are the grader's functions, held and released with events: a rendezvous proves how many run at
once, held jobs show what ``shutdown`` waits for, quiet windows count wake-ups to tell blocking
from polling, and a forced thread switch at every bytecode makes an unguarded ``submit`` lose a job
on every run.  Two races are checked in every order: a thread calling ``submit`` is paused at each line
of it in turn while another ``submit`` (or ``shutdown``) runs as far as it can, then goes on.  Each
scenario runs as one call under a deadline, so a hang is reported, not waited out.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from graders.harness.idle import WakeCounter, expect_idle
from graders.harness.inflight import CallLog, Rendezvous
from graders.harness.lockstep import Lockstep
from graders.harness.messages import failure, short_repr
from graders.harness.settle import settle

GIVE_UP = 5.0
"""Seconds after which a scenario of a few jobs is a hang."""
MARGIN = 1.0
"""Seconds past ``timeout`` that ``result(timeout=...)`` may take to raise (a loaded machine)."""
HELD = 0.15
"""How long the grader holds jobs back while ``shutdown`` or ``with`` should wait for them."""
QUIET = 0.4
"""The quiet window over which idle threads' wake-ups are counted."""
LOST = 2.0
"""Seconds after which a job accepted by a pool being shut down counts as never run."""
PAUSE_POINTS = 200
"""The most lines of ``submit`` at which the racing-shutdown claim pauses it, one round each."""
POOL_IDEA = "start `workers` threads once; each loops: take a job from a queue.Queue, run it, store its outcome"
SHUTDOWN_IDEA = "shutdown: refuse new jobs, put one sentinel per worker, then join every worker (if wait)"


class Boom(Exception):
    """The grader's failure of one job."""


def scenario(learner, script: Callable[[], Any], called: str, *, on_hang: str | None = None, deadline=GIVE_UP):
    """Run ``script`` (which drives the pool) under a deadline; its outcome."""
    return learner.run(script, called=called, deadline=deadline, on_hang=on_hang)


def new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads started since ``before`` (the pool's), not the grader's call thread."""
    return [t for t in threading.enumerate() if t not in before and t.is_alive() and t.name != "learner-call"]


def held_jobs(count: int) -> tuple[threading.Event, CallLog, list[Callable[[], int]]]:
    """``count`` jobs that each run until ``release`` is set, logged; job i returns i."""
    release, log = threading.Event(), CallLog()

    def job(i: int) -> Callable[[], int]:
        def run() -> int:
            with log.record(f"job {i}"):
                release.wait(GIVE_UP)
                return i

        return run

    return release, log, [job(i) for i in range(count)]


def fate(outcome: str | None, runs: int) -> str:
    """What became of one submitted job, for the lost-job evidence."""
    if outcome is None:
        return "submit() never returned a Job for it"
    if runs > 1:
        return f"ran {runs} times"
    return outcome


def release_after(event: threading.Event, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, event.set)
    timer.daemon = True
    timer.start()
    return timer


class PauseAtLine:
    """Pauses the thread that installs it at the ``line``-th line it runs in the learner's file, until resumed.

    ``sys.settrace`` traces only the installing thread: threads that the learner's code starts run freely.
    """

    def __init__(self, learner, line: int) -> None:
        self.submission = learner.submission
        self.line = line
        self.lines = 0
        self.where = ""
        """``file.py:N `code``` where the thread was paused."""
        self.reached = threading.Event()
        """Set at the pause, or when the thread's call ended before running that many lines."""
        self.resume = threading.Event()

    def install(self) -> None:
        sys.settrace(self._global)

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self._local if self.submission.owns(frame.f_code.co_filename) else None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
            if self.lines == self.line:
                code = self.submission.source_line(frame.f_lineno)
                self.where = f"{self.submission.path.name}:{frame.f_lineno} `{code}`"
                self.reached.set()
                self.resume.wait(GIVE_UP)
        return self._local


def race_round(
    learner, line: int, first: Callable[[], Any], second: Callable[[], Any], then: Callable[[], Any] = lambda: None
) -> dict[str, Any]:
    """One order of a race: ``first()`` runs in a thread paused at the ``line``-th line it runs in the learner's
    file; meanwhile ``second()`` runs in another thread until it returns or blocks (on a lock the paused call
    holds); then the first goes on, and once it has returned, ``then()`` runs (e.g. lets held jobs go).  Each
    result is a value or ``("raised", exc)``; ``where`` is the pause point ("" if ``first()`` ended before
    that line)."""
    before = set(threading.enumerate())
    pause = PauseAtLine(learner, line)
    state: dict[str, Any] = {"line": line}

    def call(key: str, fn: Callable[[], Any], paused: bool) -> None:
        if paused:
            pause.install()
        try:
            state[key] = fn()
        except BaseException as exc:
            state[key] = ("raised", exc)
        finally:
            if paused:
                sys.settrace(None)
                pause.reached.set()

    one = threading.Thread(target=call, args=("first", first, True), name="first")
    one.start()
    pause.reached.wait(GIVE_UP)
    state["where"] = pause.where
    two = threading.Thread(target=call, args=("second", second, False), name="second")
    two.start()
    settle(two, give_up=GIVE_UP)
    state["second ended"] = not two.is_alive()
    pause.resume.set()
    one.join()
    then()
    two.join()
    state["threads"] = [t for t in new_threads(before) if t not in (one, two)]
    return state


def raised(result: Any, kind: type[BaseException] = BaseException) -> bool:
    return isinstance(result, tuple) and len(result) == 2 and result[0] == "raised" and isinstance(result[1], kind)


# ---------------------------------------------------------------- task 1 · a pool of workers


@pytest.mark.task(1)
def test_fewer_than_one_worker_is_a_value_error(learner):
    for workers in (0, -1):
        outcome = scenario(learner, lambda w=workers: learner.WorkerPool(w), f"WorkerPool({workers})")
        if not isinstance(outcome.error, ValueError):
            got = f"raised {type(outcome.error).__name__}" if outcome.raised else "returned a pool"
            raise failure(f"WorkerPool({workers}) {got}; expected ValueError: a pool needs at least one worker.")


@pytest.mark.task(1)
def test_never_more_threads_than_workers(learner):
    release, _, jobs = held_jobs(40)
    counts: list[int] = []

    def script() -> None:
        before = set(threading.enumerate())
        pool = learner.WorkerPool(3)
        try:
            for job in jobs:
                pool.submit(job)
            time.sleep(0.05)
            counts.append(len(new_threads(before)))
        finally:
            release.set()
            pool.shutdown(wait=False)

    learner.result(scenario(learner, script, "WorkerPool(3), then 40 jobs submitted that wait"))
    if counts[0] > 3:
        raise failure(
            f"With 40 jobs waiting, the pool had {counts[0]} threads alive; never more than workers=3 threads, "
            "however many jobs are submitted (a thread per job?).",
            called="pool = WorkerPool(3); 40 × pool.submit(job)",
            contract="never more than `workers` threads",
            idea=POOL_IDEA,
        )


@pytest.mark.task(1)
def test_up_to_workers_jobs_run_at_the_same_time(learner):
    gate = Rendezvous(3, timeout=2.0)
    log = CallLog()

    def meet(i: int) -> int:
        with log.record(f"job {i}"):
            gate.wait()
            return i

    def script() -> list[int]:
        with_pool = learner.WorkerPool(3)
        try:
            jobs = [with_pool.submit(meet, i) for i in range(6)]
            return [job.result(GIVE_UP) for job in jobs]
        finally:
            gate.abort()
            with_pool.shutdown(wait=False)

    outcome = scenario(learner, script, "WorkerPool(3), 6 jobs")
    if not gate.opened:
        raise failure(
            f"At most {gate.most_waiting} of 3 jobs ran at once with workers=3 and 6 jobs waiting: up to "
            "`workers` jobs run at the same time.",
            called="pool = WorkerPool(3); 6 × pool.submit(job)",
            contract="up to `workers` jobs run at the same time",
            evidence=log.timeline(until=outcome.elapsed),
            idea=POOL_IDEA,
        )
    learner.result(outcome)


@pytest.mark.task(1)
def test_jobs_start_in_submission_order(learner):
    started: list[int] = []
    first = threading.Event()

    def job(i: int) -> int:
        started.append(i)
        if i == 0:
            first.wait(GIVE_UP)  # the others queue up behind it
        return i

    def script() -> None:
        pool = learner.WorkerPool(1)
        try:
            jobs = [pool.submit(job, i) for i in range(10)]
            first.set()
            for j in jobs:
                j.result(GIVE_UP)
        finally:
            first.set()
            pool.shutdown(wait=False)

    learner.result(scenario(learner, script, "WorkerPool(1), 10 jobs"))
    if started != list(range(10)):
        raise failure(
            f"Jobs 0-9, submitted in order to WorkerPool(1), started in the order {started}: jobs are taken "
            "up in submission order (first in, first out).",
            called="pool = WorkerPool(1); pool.submit(job, i) for i in range(10)",
            contract="jobs are taken up in submission order",
            idea="a queue.Queue (or deque.popleft()) is first in, first out; list.pop() is last in, first out",
        )


@pytest.mark.task(1)
def test_idle_workers_block_instead_of_polling(learner):
    window = []

    def script() -> None:
        pool = learner.WorkerPool(3)
        try:
            for job in [pool.submit(lambda: None) for _ in range(3)]:
                job.result(GIVE_UP)
            time.sleep(0.05)
            window.extend(counter.quiet_window(QUIET))
        finally:
            pool.shutdown(wait=False)

    with WakeCounter(learner.submission) as counter:
        learner.result(scenario(learner, script, "WorkerPool(3) after its jobs are done"))
    expect_idle(
        learner.submission,
        window,
        QUIET,
        situation="the pool had no job left",
        called="pool = WorkerPool(3); 3 jobs done; then nothing",
        idea="idle workers block in queue.get() (or Condition.wait()); never loop on get_nowait() or empty()",
    )


@pytest.mark.task(1)
def test_no_job_is_lost_when_threads_submit_at_once(learner):
    runs: Counter[tuple[int, int]] = Counter()
    outcomes: dict[tuple[int, int], str] = {}

    def job(key: tuple[int, int]) -> tuple[int, int]:
        runs[key] += 1
        return key

    def script(scheduler: Lockstep) -> None:
        pool = learner.WorkerPool(2)
        jobs: dict[tuple[int, int], Any] = {}

        def submitter(t: int) -> None:
            scheduler.line_up(4)  # the four submit() calls start taking turns from their first step
            for i in range(3):
                jobs[(t, i)] = pool.submit(job, (t, i))

        try:
            threads = [threading.Thread(target=submitter, args=(t,), name=f"submitter-{t}") for t in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(GIVE_UP)
            for key, handle in jobs.items():
                try:
                    outcomes[key] = "ok" if handle.result(1.0) == key else "wrong value"
                except TimeoutError:
                    outcomes[key] = "never ran"
        finally:
            pool.shutdown(wait=False)

    call = "WorkerPool(2); 4 threads each submit 3 jobs at once, switching at every bytecode of your code"
    with Lockstep(learner.submission) as scheduler:
        learner.result(scenario(learner, lambda: script(scheduler), call, deadline=30.0))
    lost = sorted(k for k in outcomes if outcomes[k] != "ok" or runs[k] != 1)
    if lost or len(outcomes) != 12:
        raise failure(
            f"A job was lost: of 12 jobs submitted from 4 threads at once, {len(lost)} never ran or ran more than "
            "once. submit() changed shared state without a lock, and one thread's write overwrote another's.",
            called=call,
            contract="submit is safe to call from many threads at once",
            evidence=[f"{scheduler.handovers} forced thread switches"]
            + [f"job {i} of submitter-{t}: {fate(outcomes.get((t, i)), runs[(t, i)])}" for t, i in lost[:6]],
            idea="hand jobs over through a queue.Queue, or guard shared state with a threading.Lock",
        )


@pytest.mark.task(1)
def test_never_more_threads_than_workers_when_threads_submit_at_once(learner):
    # For n = 1, 2, …: a new WorkerPool(1) whose jobs wait; a thread calls submit(job) and is paused at the n-th
    # line it runs in your file; another thread's submit(job) runs until it returns or blocks (on a lock the
    # paused submit holds); then the first goes on.  However the two interleave, one thread at most.
    rounds: list[dict[str, Any]] = []

    def script() -> None:
        for line in range(1, PAUSE_POINTS + 1):
            before, go = set(threading.enumerate()), threading.Event()
            pool = learner.WorkerPool(1)
            try:
                submit = functools.partial(pool.submit, go.wait, GIVE_UP)
                state = race_round(learner, line, submit, submit)
                state["threads"] = [t.name for t in new_threads(before)]
            finally:
                go.set()
                pool.shutdown(wait=False)
            rounds.append(state)
            if raised(state["first"]) or raised(state["second"]) or not state["where"]:
                return  # an error, or the first submit ended before the second began: every pause point was tried

    call = "WorkerPool(1); submit(job) from two threads at once, jobs that wait"
    learner.result(scenario(learner, script, call, deadline=GIVE_UP * 4))
    for key in ("first", "second"):
        if raised(rounds[-1][key]):
            error = rounds[-1][key][1]
            learner.implemented(error, call)
            raise failure(
                f"submit() raised {type(error).__name__}: {short_repr(str(error))} while another thread called "
                "submit() too: submit is safe to call from many threads at once.",
                called=call,
                contract="submit is safe to call from many threads at once",
                idea=POOL_IDEA,
            )
    too_many = [state for state in rounds if len(state["threads"]) > 1]
    if too_many:
        last = next((s for s in too_many if s["second ended"]), too_many[0])  # the plainest case first
        raise failure(
            f"WorkerPool(1) had {len(last['threads'])} threads alive after two threads called submit() at once: never "
            "more than `workers` threads. submit() decided to start a thread and started it in two steps, and the "
            "other submit() started one in between.",
            called=call,
            contract="never more than `workers` threads; submit is safe to call from many threads at once",
            evidence=[
                f"the first submit() paused at {last['where']}",
                f"meanwhile the other submit() {'returned' if last['second ended'] else 'was blocked'}; then the first "
                "went on",
                "threads: " + ", ".join(last["threads"]),
                f"{len(too_many)} of {len(rounds)} pause points started a thread too many",
            ],
            idea="start the threads in __init__, or check the count and start a worker under one lock",
        )


# ---------------------------------------------------------------- task 2 · results, errors and timeouts


@pytest.mark.task(2)
def test_result_returns_the_job_value(learner):
    def add(a: int, b: int, *, scale: int) -> int:
        return (a + b) * scale

    def script() -> Any:
        pool = learner.WorkerPool(2)
        try:
            return pool.submit(add, 2, 3, scale=10).result(GIVE_UP)
        finally:
            pool.shutdown(wait=False)

    call = "pool.submit(add, 2, 3, scale=10).result()"
    value = learner.result(scenario(learner, script, call))
    if value != 50:
        raise failure(
            f"{call} returned {short_repr(value)}; add(2, 3, scale=10) is 50: result() returns the job's value, "
            "and the job gets every positional and keyword argument.",
            called=call,
            idea="store fn(*args, **kwargs) on the Job, then set its Event",
        )


@pytest.mark.task(2)
def test_result_raises_the_job_exception(learner):
    error = Boom("the job failed")

    def fail() -> None:
        raise error

    def script() -> Any:
        pool = learner.WorkerPool(1)
        try:
            return pool.submit(fail).result(GIVE_UP)
        finally:
            pool.shutdown(wait=False)

    outcome = scenario(learner, script, "pool.submit(fail).result()")
    if outcome.error is not error:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"The job raised Boom('the job failed'), and result() {got}: it should raise the job's exception "
            "(the same object).",
            called="pool.submit(fail).result()",
            contract="Job.result raises the job's exception",
            idea="catch the exception in the worker, keep it on the Job, raise it from result()",
        )


@pytest.mark.task(2)
def test_a_failing_job_does_not_kill_its_worker(learner):
    def fail() -> None:
        raise Boom("first job fails")

    def script() -> Any:
        pool = learner.WorkerPool(1)
        try:
            pool.submit(fail)
            return pool.submit(lambda: "second").result(2.0)
        finally:
            pool.shutdown(wait=False)

    outcome = scenario(learner, script, "WorkerPool(1): submit(fail), then submit(second).result(2.0)")
    if outcome.value != "second":
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"After the first job raised, the second job's result() {got}: the only worker died with the first "
            "job's exception, so no later job ever ran.",
            called="WorkerPool(1): submit(fail), then submit(second).result(2.0)",
            contract="a job that raises does not kill its worker",
            idea="catch exceptions around each job inside the worker loop, not around the loop",
        )


def timed_result(learner, timeout: float, *, others_finish: bool) -> tuple[Any, float, int]:
    """``job.result(timeout)`` for a held job on a new WorkerPool(2); if ``others_finish``, a grader thread keeps
    submitting short jobs (one at a time, to the other worker) while it waits.  The outcome, the seconds
    ``result`` took, and how many other jobs finished meanwhile."""
    release, _, jobs = held_jobs(1)
    elapsed: list[float] = []
    stop, finished = threading.Event(), []
    feed_for = timeout + MARGIN + 0.5

    def feed(pool: Any) -> None:
        end = time.perf_counter() + feed_for
        while not stop.is_set() and time.perf_counter() < end:
            ran = threading.Event()

            def short(ran: threading.Event = ran) -> None:
                time.sleep(0.01)
                ran.set()

            try:
                pool.submit(short)
            except BaseException:
                return
            if not ran.wait(GIVE_UP):
                return
            finished.append(1)

    def script() -> Any:
        pool = learner.WorkerPool(2)
        feeder = threading.Thread(target=feed, args=(pool,), name="grader-feeder", daemon=True)
        try:
            job = pool.submit(jobs[0])
            if others_finish:
                feeder.start()
            start = time.perf_counter()
            try:
                return job.result(timeout)
            finally:
                elapsed.append(time.perf_counter() - start)
        finally:
            stop.set()
            if feeder.is_alive():
                feeder.join(GIVE_UP)
            release.set()
            pool.shutdown(wait=False)

    call = f"job.result(timeout={timeout:g}) for a job that runs on"
    deadline = GIVE_UP if others_finish else timeout + MARGIN + 2.0
    try:
        outcome = scenario(
            learner,
            script,
            call,
            on_hang=f"{call} did not return within {deadline:g} s: it ignored its timeout; it should raise "
            "TimeoutError when the job is not done in time"
            + (
                " (was timeout=0 taken for no timeout? `if timeout:` does that; test `timeout is None`)."
                if timeout == 0
                else "."
            ),
            deadline=deadline,
        )
    finally:
        stop.set()
        release.set()
    return outcome, elapsed[0], len(finished)


@pytest.mark.task(2)
def test_result_with_timeout_raises_timeout_error(learner):
    # result(0.2) while another worker keeps finishing short jobs (a wait that starts its timeout over at every
    # wake-up never ends), then result(0) (raise at once, like concurrent.futures).
    for timeout, others_finish in ((0.2, True), (0.0, False)):
        outcome, elapsed, others = timed_result(learner, timeout, others_finish=others_finish)
        call = f"job.result(timeout={timeout:g}) for a job that runs on"
        if isinstance(outcome.error, TimeoutError) and elapsed <= timeout + MARGIN:
            continue
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        restarted = isinstance(outcome.error, TimeoutError) and others_finish
        raise failure(
            f"{call} {got} after {elapsed:.2f} s: it should raise TimeoutError at the timeout."
            + (
                f" Meanwhile {others} other jobs finished on the second worker: each wake-up started the timeout "
                "over, so it ran out only once they stopped."
                if restarted
                else ""
            ),
            called=call + (", while other jobs keep finishing" if others_finish else ""),
            contract="with a timeout, result raises TimeoutError when the job is not done in time",
            idea="wait on the job's own Event: Event.wait(timeout) returns False on timeout"
            + ("; with a shared Condition, wait_for(predicate, timeout) counts from one deadline" if restarted else ""),
        )


@pytest.mark.task(2)
def test_result_blocks_instead_of_polling(learner):
    window = []

    def job() -> str:
        time.sleep(0.05)  # the caller is inside result() by now
        window.extend(counter.quiet_window(QUIET))
        return "done"

    def script() -> Any:
        pool = learner.WorkerPool(1)
        try:
            return pool.submit(job).result()
        finally:
            pool.shutdown(wait=False)

    with WakeCounter(learner.submission) as counter:
        learner.result(scenario(learner, script, "job.result() while the job runs"))
    expect_idle(
        learner.submission,
        window,
        QUIET,
        situation="result() waited for a job that was still running",
        called="job.result() while the job runs",
        idea="result() waits on a threading.Event (or Condition) with the timeout; no sleep loop",
    )


@pytest.mark.task(2)
def test_done_tells_whether_the_job_finished(learner):
    started, release = threading.Event(), threading.Event()
    seen: list[object] = []

    def job() -> int:
        started.set()
        release.wait(GIVE_UP)
        return 1

    def script() -> None:
        pool = learner.WorkerPool(1)
        try:
            handle = pool.submit(job)
            seen.append(handle.done())
            started.wait(GIVE_UP)  # a worker is inside the job now
            seen.append(handle.done())
            release.set()
            handle.result(GIVE_UP)
            seen.append(handle.done())
        finally:
            release.set()
            pool.shutdown(wait=False)

    call = "job.done() right after submit, while the job runs, then after result()"
    learner.result(scenario(learner, script, call))
    if seen != [False, False, True]:
        when = ["right after submit()", "while a worker was still running the job", "after result() returned"]
        wrong = [
            f"{w}: {short_repr(v)} (expected {e})"
            for w, v, e in zip(when, seen, (False, False, True), strict=True)
            if v != e
        ]
        taken_up = seen[1] is True and seen[0] is False
        raise failure(
            "job.done() was "
            + ", ".join(f"{short_repr(v)}" for v in seen)
            + "; expected False, False, then True: done() tells whether the job has finished (returned or raised)"
            + (", not whether a worker has taken it up." if taken_up else "."),
            called=call,
            contract="Job.done() tells whether the job has finished",
            evidence=wrong,
            idea="set the Job's Event after the job returns or raises; done() returns its is_set() (call it)",
        )


# ---------------------------------------------------------------- task 3 · shutdown


def shutdown_scenario(learner, shut: Callable[[Any], None], called: str, count: int = 2):
    """WorkerPool(2), ``count`` held jobs released after HELD; ``shut(pool)``; what was true when it returned."""
    release, log, jobs = held_jobs(count)
    state: dict[str, Any] = {}

    def script() -> None:
        before = set(threading.enumerate())
        pool = learner.WorkerPool(2)
        handles = [pool.submit(job) for job in jobs]
        release_after(release, HELD)
        shut(pool)
        state["released"] = release.is_set()
        state["done"] = sum(1 for c in log.calls if c.end is not None)
        state["workers"] = [t for t in new_threads(before) if t.is_alive()]
        state["handles"] = handles

    try:
        outcome = scenario(
            learner,
            script,
            called,
            on_hang=f"{called} did not return within {GIVE_UP:g} s, although the jobs were let go after {HELD:g} s: "
            "a worker was never told to exit (one sentinel for all of them?), or shutdown waits for nothing to end.",
        )
    finally:
        release.set()
    learner.result(outcome)
    return state, log


@pytest.mark.task(3)
def test_every_worker_exits_after_shutdown(learner):
    left: list[threading.Thread] = []

    def script() -> None:
        before = set(threading.enumerate())
        pool = learner.WorkerPool(3)
        gate = Rendezvous(3, timeout=1.0)  # three jobs at once: every worker is started
        for job in [pool.submit(gate.wait) for _ in range(3)]:
            job.result(GIVE_UP)
        pool.shutdown(wait=True)
        left.extend(new_threads(before))

    call = "WorkerPool(3), 3 jobs done, then pool.shutdown(wait=True)"
    learner.result(
        scenario(
            learner,
            script,
            call,
            on_hang=f"{call} did not return within {GIVE_UP:g} s: some worker never got told to exit (one "
            "sentinel for all workers?), and shutdown waits for it.",
        )
    )
    if left:
        raise failure(
            f"shutdown(wait=True) returned while {len(left)} worker thread(s) were still alive.",
            called=call,
            contract="shutdown(wait=True) returns after every worker thread has exited",
            idea=SHUTDOWN_IDEA,
        )


@pytest.mark.task(3)
def test_shutdown_waits_for_jobs_and_workers(learner):
    call = "pool.shutdown(wait=True) while 2 jobs still run"
    state, log = shutdown_scenario(learner, lambda pool: pool.shutdown(wait=True), call)
    if state["done"] < 2 or state["workers"]:
        raise failure(
            f"shutdown(wait=True) returned with {2 - state['done']} job(s) still running and "
            f"{len(state['workers'])} worker thread(s) alive: it returns only after every submitted job has "
            "finished and every worker has exited.",
            called=call,
            contract="shutdown(wait=True) lets every job finish and returns after every worker has exited",
            evidence=log.timeline(),
            idea=SHUTDOWN_IDEA,
        )


@pytest.mark.task(3)
def test_shutdown_without_wait_returns_at_once(learner):
    # Two jobs run (held) on the two workers and a third waits in the queue behind them when shutdown comes.
    call = "pool.shutdown(wait=False) while 2 jobs still run and a third waits"
    state, log = shutdown_scenario(learner, lambda pool: pool.shutdown(wait=False), call, count=3)
    if state["released"]:
        raise failure(
            f"shutdown(wait=False) returned only after the jobs were let go ({HELD:g} s later): it should return "
            "at once and let the jobs finish on their own.",
            called=call,
            contract="shutdown(wait=False) returns at once; submitted jobs still finish",
            evidence=log.timeline(),
            idea="join the workers only when wait is true",
        )

    def fates() -> list[str]:
        end = time.monotonic() + LOST
        seen = []
        for handle in state["handles"]:
            try:
                handle.result(max(0.0, end - time.monotonic()))
                seen.append("finished")
            except TimeoutError:
                seen.append("never finished")
        return seen

    outcome = scenario(learner, fates, "job.result() for each job after shutdown(wait=False)")
    if outcome.raised:
        raise failure(
            f"After shutdown(wait=False), a submitted job's result() raised {type(outcome.error).__name__}: "
            "submitted jobs still finish after shutdown(wait=False) returns.",
            called=call,
            idea=SHUTDOWN_IDEA,
        )
    unfinished = [f"job {i}" for i, fate in enumerate(outcome.value) if fate != "finished"]
    if unfinished:
        started = {call.label for call in log.calls}
        raise failure(
            f"{', '.join(unfinished)} of the 3 jobs submitted before shutdown(wait=False) never finished (not done "
            f"{LOST:g} s after the jobs were let go): jobs submitted before shutdown must still run; shutdown only "
            "refuses new ones.",
            called=call,
            contract="shutdown(wait=False) returns at once; submitted jobs still finish",
            evidence=[
                f"job {i}: {fate}{'' if f'job {i}' in started else ' (never started)'}"
                for i, fate in enumerate(outcome.value)
            ],
            idea="put the stop signals behind the queued jobs; never empty the queue in shutdown",
        )


@pytest.mark.task(3)
def test_submit_after_shutdown_is_a_runtime_error(learner):
    def script() -> None:
        pool = learner.WorkerPool(1)
        pool.shutdown(wait=True)
        pool.submit(lambda: None)

    outcome = scenario(learner, script, "pool.shutdown(); pool.submit(job)")
    if not isinstance(outcome.error, RuntimeError):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else "accepted the job"
        raise failure(
            f"submit() after shutdown() {got}; expected RuntimeError: a pool that is shut down refuses new jobs.",
            called="pool.shutdown(); pool.submit(job)",
            contract="after shutdown, submit raises RuntimeError",
            idea="set a `closed` flag in shutdown (under the lock) and check it in submit",
        )


@pytest.mark.task(3)
def test_a_submit_racing_shutdown_is_refused_or_runs(learner):
    # For n = 1, 2, …: a new WorkerPool(1) whose worker is kept busy by a held job; a thread calls submit(job)
    # and is paused at the n-th line it runs in your file; shutdown(wait=False) runs in another thread until
    # it returns or blocks (on a lock the paused submit holds); then the submit goes on, and the held job is
    # let go.  Every such order is one that a real race can produce.  A job accepted then must run: it must be
    # done before every worker of the pool has exited.
    rounds: list[dict[str, Any]] = []

    def one_round(line: int) -> dict[str, Any]:
        before, held = set(threading.enumerate()), threading.Event()
        pool = learner.WorkerPool(1)
        try:
            pool.submit(held.wait, GIVE_UP)
            submit, shutdown = (lambda: pool.submit(lambda: "ran")), (lambda: pool.shutdown(wait=False))
            state = race_round(learner, line, submit, shutdown, then=held.set)
        finally:
            held.set()
        job = state["first"]
        if not raised(job):
            workers, end = new_threads(before), time.monotonic() + LOST
            while not job.done() and any(t.is_alive() for t in workers) and time.monotonic() < end:
                time.sleep(0.005)
            state["value"] = job.result(LOST) if job.done() else "never ran"
            state["exited"] = not any(t.is_alive() for t in workers)
        return state

    def script() -> None:
        for line in range(1, PAUSE_POINTS + 1):
            state = one_round(line)
            rounds.append(state)
            if raised(state["second"]) or (raised(state["first"]) and not raised(state["first"], RuntimeError)):
                return
            if not state["where"]:
                return  # submit ran to its end before shutdown began: every pause point was tried

    call = "pool.submit(job) in one thread, pool.shutdown(wait=False) in another, at once"
    learner.result(scenario(learner, script, call, deadline=GIVE_UP * 4))
    last = rounds[-1]
    for key, what in (("first", "submit()"), ("second", "shutdown(wait=False)")):
        if raised(last[key]) and not (key == "first" and raised(last[key], RuntimeError)):
            error = last[key][1]
            learner.implemented(error, call)
            raise failure(
                f"{what} raised {type(error).__name__}: {short_repr(str(error))} while the other ran in another "
                "thread: submit either refuses the job (RuntimeError) or accepts it, and then it runs.",
                called=call,
                contract="after shutdown, submit raises RuntimeError; submitted jobs still finish",
                idea=SHUTDOWN_IDEA,
            )
    lost = [state for state in rounds if state.get("value", "ran") != "ran"]
    if lost:
        state = next((s for s in lost if s["second ended"]), lost[0])  # the plainest case first
        why = "every worker had exited without it" if state["exited"] else f"not done {LOST:g} s later"
        raise failure(
            "submit() returned a Job while shutdown(wait=False) ran in another thread, and that job never ran "
            f"({why}): a job that submit accepts must run, whenever shutdown comes.",
            called=call,
            contract="shutdown refuses new jobs (RuntimeError) and lets every submitted job finish",
            evidence=[
                f"submit() paused at {state['where']}",
                f"meanwhile shutdown(wait=False) {'returned' if state['second ended'] else 'was blocked'}; then "
                "submit went on and returned a Job",
                f"{len(lost)} of {len(rounds)} pause points lost the job",
            ],
            idea="check `closed` and enqueue under the same lock that shutdown takes to set it; shutdown puts its "
            "stop signals behind every queued job and drops none",
        )


@pytest.mark.task(3)
def test_with_block_waits_like_shutdown(learner):
    release, log, jobs = held_jobs(2)
    state: dict[str, Any] = {}

    def script() -> None:
        before = set(threading.enumerate())
        with learner.WorkerPool(2) as pool:
            state["pool"] = type(pool).__name__
            for job in jobs:
                pool.submit(job)
            release_after(release, HELD)
        state["done"] = sum(1 for c in log.calls if c.end is not None)
        state["workers"] = new_threads(before)

    call = "with WorkerPool(2) as pool: 2 jobs that run on"
    try:
        outcome = scenario(learner, script, call)
    finally:
        release.set()
    if state.get("pool") != "WorkerPool":
        raise failure(
            f"`with WorkerPool(2) as pool:` bound {state.get('pool', 'nothing')}, not the pool: __enter__ "
            "returns self.",
            called=call,
            idea="def __enter__(self): return self",
        )
    learner.result(outcome)
    if state["done"] < 2 or state["workers"]:
        raise failure(
            f"Leaving the with block returned with {2 - state['done']} job(s) still running and "
            f"{len(state['workers'])} worker thread(s) alive: __exit__ is shutdown(wait=True).",
            called=call,
            contract="__exit__ calls shutdown(wait=True)",
            evidence=log.timeline(),
            idea=SHUTDOWN_IDEA,
        )
