"""Kata 53 · Threads for blocking I/O: the claims.

Every fetch is a fake whose timing the grader controls with events, never with sleeps that the
verdict depends on: a rendezvous that opens only when all fetches are in flight proves they ran at
the same time; a chain of events makes the fetches finish in reverse order; a fetch that blocks
until the claim ends plays a hung server.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graders.harness import leaks
from graders.harness.inflight import CallLog, Rendezvous
from graders.harness.lockstep import Lockstep
from graders.harness.messages import failure, short_repr

MARGIN = 0.5
"""Seconds past ``timeout`` that a TimeoutError may take on a loaded machine.  Measured with
``benchmarks/lateness.py`` on 3.11-3.13: the references raised at most 0.011 s late in 1 047 calls, at load
averages up to 6.7."""
EARLY = 0.1
"""Seconds before ``timeout`` under which a TimeoutError came early: one deadline, joined with what is left
of it, never expires before ``timeout`` (only a deadline split among the threads does)."""
GIVE_UP = 3.0
"""Seconds past ``timeout`` after which a call that has not returned is a hang."""
DEFAULT_POOL = min(32, max(os.cpu_count() or 1, getattr(os, "process_cpu_count", lambda: None)() or 1) + 4)
"""The most workers ``ThreadPoolExecutor()`` starts by default here (3.8-3.12: cpu_count() + 4, 3.13:
process_cpu_count() + 4, at most 32): the in-flight claim fetches more URLs than that."""
GATHER_WAIT = 1.5
"""How long the in-flight claim's fetches wait for all the others before they give up."""
HOLD_MARGIN = 0.2
"""Seconds past ``timeout / n`` (counted from when all fetches are in flight) that they keep running: a
timeout split among the threads expires while every fetch is still running."""
SLOW = 0.4
"""How long a slow fetch runs on after another one raised (a fetch_all that re-raises at once does
so within milliseconds)."""
ORDER_GAP = 0.05
"""Seconds between one fetch's return and the next one's when they finish in reverse order: wider
than the delay with which a loaded machine runs the thread that stores a result."""
HUNG_TIMEOUT = 0.2
"""The ``timeout`` given to fetch_all in the claims where one fetch never returns."""
DEADLINE_TIMEOUT = 0.6
"""The ``timeout`` of the one-deadline claim, whose fetches take ``DEADLINE_TAKES`` seconds."""
DEADLINE_TAKES = {"u0": 0.4, "u1": 0.9, "u2": 1.5}


class Web:
    """A fake ``fetch``: each URL's behaviour is a function of the grader's; every call is logged."""

    def __init__(self, behaviour: Callable[[str], object]) -> None:
        self.behaviour = behaviour
        self.log = CallLog()
        self.release = threading.Event()
        """Set when the claim ends: every fetch still blocked in the fake returns then."""

    def __call__(self, url: str) -> object:
        with self.log.record(url):
            return self.behaviour(url)

    def hang(self) -> str:
        self.release.wait()
        return "too late"


@contextmanager
def web(behaviour: Callable[[str], object] = lambda url: f"page {url}") -> Iterator[Web]:
    fake = Web(behaviour)
    try:
        yield fake
    finally:
        fake.release.set()


def called(urls: list[str], timeout: float) -> str:
    return f"fetch_all({urls!r}, fetch, timeout={timeout:g})"


def expect_timeout(learner, fake: Web, urls: list[str], timeout: float, *, after_error: bool = False):
    """Run fetch_all with a hung fetch among ``urls``; fail unless TimeoutError came at the deadline."""
    call = called(urls, timeout)
    outcome = learner.run(
        learner.fetch_all,
        urls,
        fake,
        timeout=timeout,
        called=call,
        deadline=timeout + GIVE_UP,
        on_hang=(
            f"fetch_all did not return {GIVE_UP:g} s after its deadline of timeout={timeout:g} s"
            f"{', after another fetch had raised' if after_error else ''}: it waits for a fetch "
            "that never returns (a join() without a deadline?)."
        ),
    )
    if not isinstance(outcome.error, TimeoutError):
        what = (
            f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
            if outcome.raised
            else f"returned {short_repr(outcome.value)}"
        )
        raise failure(
            f"fetch_all {what}, but a fetch was still running at the deadline: it should raise "
            f"TimeoutError{' even though another fetch had raised' if after_error else ''}.",
            called=call,
            contract="if a fetch is still running at the deadline, raise TimeoutError without waiting for it",
            evidence=fake.log.timeline(),
            idea="one deadline = time.monotonic() + timeout; join each thread with what is left of it",
        )
    if outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"fetch_all raised TimeoutError after {outcome.elapsed:.2f} s with timeout={timeout:g}: "
            "the deadline is one for the whole call, counted from entry.",
            called=call,
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="one deadline = time.monotonic() + timeout; join each thread with what is left of it",
        )
    if outcome.elapsed < timeout - EARLY:
        raise failure(
            f"fetch_all raised TimeoutError after {outcome.elapsed:.2f} s, before its deadline of timeout="
            f"{timeout:g} s: a join gave up early. A deadline per thread (timeout / n?) is not one for the call.",
            called=call,
            contract="timeout is one deadline for the whole call, counted from entry",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="one deadline = time.monotonic() + timeout; join each thread with what is left of it",
        )
    return outcome


# ---------------------------------------------------------------- task 1 · all at once, in order


@pytest.mark.task(1)
def test_fetch_all_of_nothing_is_an_empty_list(learner):
    with web() as fake:
        outcome = learner.run(learner.fetch_all, [], fake, timeout=5.0, called=called([], 5.0), deadline=5.0 + GIVE_UP)
    value = learner.result(outcome)
    if value != [] or fake.log.calls:
        raise failure(
            f"fetch_all([], ...) returned {short_repr(value)} after {len(fake.log.calls)} fetches; expected [] at once."
        )


@pytest.mark.task(1)
def test_every_fetch_is_in_flight_at_the_same_time(learner):
    # More URLs than ThreadPoolExecutor() has workers by default.  Every fetch waits until all are in
    # flight, then a little longer than timeout / n: a pool that is too small never has them all in
    # flight, and a timeout split among the threads expires while every fetch is still running.
    urls, timeout = [f"u{i}" for i in range(DEFAULT_POOL + 1)], 1.5
    gate = Rendezvous(len(urls), timeout=GATHER_WAIT)
    clock: dict[str, float] = {}

    def release_at(opened: float) -> float:
        """Seconds after entry when the fetches, all in flight since ``opened``, return."""
        return min(opened + timeout / len(urls) + HOLD_MARGIN, max(opened, timeout - 1.0))

    def meet(url: str) -> str:
        if gate.wait():
            opened = clock.setdefault("opened", time.perf_counter() - clock["entry"])
            fake.release.wait(max(0.0, release_at(opened) - (time.perf_counter() - clock["entry"])))
        return f"page {url}"

    def fetch_all(*args: Any, **kwargs: Any) -> Any:
        clock["entry"] = time.perf_counter()
        return learner.fetch_all(*args, **kwargs)

    call = f"fetch_all([{urls[0]!r}, …, {urls[-1]!r}], fetch, timeout={timeout:g})"
    with web(meet) as fake:
        outcome = learner.run(fetch_all, urls, fake, timeout=timeout, called=call, deadline=timeout + GIVE_UP)
        gate.abort()
    if not gate.opened:
        most = gate.most_waiting
        raise failure(
            f"The fetches ran one at a time: at most {most} of {len(urls)} were in flight at once (each fetch "
            "waited for all the others, and they never came)."
            if most <= 1
            else f"Only {most} of the {len(urls)} fetches were in flight at the same time: the others started "
            f"only after some had returned (a pool with fewer workers than URLs? ThreadPoolExecutor() has "
            f"{DEFAULT_POOL} here by default).",
            called=call + f", each fetch waiting up to {GATHER_WAIT:g} s for all the others",
            contract="one thread per URL, all started before waiting for any",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="start one threading.Thread per URL first, then join them; start-and-join in one loop runs them "
            "in turn",
        )
    if isinstance(outcome.error, TimeoutError) and outcome.elapsed < timeout - EARLY:
        raise failure(
            f"fetch_all raised TimeoutError after {outcome.elapsed:.2f} s, before its deadline of timeout="
            f"{timeout:g} s, while every fetch was running; they returned at "
            f"{release_at(clock.get('opened', 0.0)):.2f} s, in time. A deadline per thread "
            f"(timeout / n = {timeout / len(urls):.2f} s?) is not one for the call.",
            called=call,
            contract="timeout is one deadline for the whole call, counted from entry",
            idea="one deadline = time.monotonic() + timeout; join each thread with what is left of it",
        )
    value = learner.result(outcome)
    expected = [f"page {url}" for url in urls]
    if value != expected:
        reordered = isinstance(value, list) and sorted(map(str, value)) == sorted(expected)
        raise failure(
            f"fetch_all returned {short_repr(value)}; every fetch(url) returned 'page ' + url, so the "
            f"results are ['page u0', …, 'page u{len(urls) - 1}']"
            + (": every result is there, but results must follow the order of urls." if reordered else "."),
            called=call,
            idea="give each thread its index and store its result at that index" if reordered else None,
        )


@pytest.mark.task(1)
def test_results_come_back_in_the_order_of_urls(learner):
    urls = ["u0", "u1", "u2", "u3"]
    finished = {url: threading.Event() for url in urls}

    def last_first(url: str) -> str:
        position = urls.index(url)
        if position + 1 < len(urls):
            finished[urls[position + 1]].wait(1.0)  # u3 finishes first, then u2, ...
            finished[url].wait(ORDER_GAP)  # time for the next URL's thread to store its result
        finished[url].set()
        return f"page {url}"

    with web(last_first) as fake:
        value = learner.result(
            learner.run(learner.fetch_all, urls, fake, timeout=30.0, called=called(urls, 30.0), deadline=30.0)
        )
    expected = [f"page {url}" for url in urls]
    if value != expected:
        finish_order = sorted(fake.log.calls, key=lambda c: c.end or 0)
        raise failure(
            f"fetch_all returned {value}, but the order of urls gives {expected}. The fetches finished "
            f"in the order {[c.label for c in finish_order]}: results must follow the input order.",
            called=called(urls, 30.0),
            evidence=fake.log.timeline(),
            idea="give each thread its index and store its result at that index (a list of len(urls))",
        )


@pytest.mark.task(1)
def test_duplicate_urls_are_fetched_once_per_occurrence(learner):
    urls = ["a", "b", "a", "a"]
    with web(lambda url: url * 2) as fake:
        value = learner.result(
            learner.run(learner.fetch_all, urls, fake, timeout=30.0, called=called(urls, 30.0), deadline=30.0)
        )
    fetched = sorted(fake.log.labels())
    expected = [u * 2 for u in urls]
    if fetched != sorted(urls) or value != expected:
        raise failure(
            (
                f"fetch_all made {len(fetched)} fetches for {len(urls)} URLs: it fetched {fetched}, but a URL "
                f"that appears several times is fetched once per occurrence: {len(urls)} fetches, one per position"
                + (f" (it returned the right list, {value}, by reusing results)." if value == expected else ".")
                if fetched != sorted(urls)
                else f"fetch_all fetched each URL once per occurrence but returned {value}; expected {expected}, "
                "one result per position in urls."
            ),
            called=called(urls, 30.0) + " where fetch(url) returns url * 2",
            idea="one thread per position in urls, not per distinct URL",
        )


@pytest.mark.task(1)
def test_no_result_is_lost_when_threads_switch_at_every_step(learner):
    # The fetches meet at a rendezvous and return together; then the threads take turns at every
    # bytecode of the learner's file, so shared state updated without a lock loses an update.  Fetches
    # called straight by a library's threads (a ThreadPoolExecutor running fetch itself) run none of the
    # learner's code, so nothing of theirs can race: only the results are checked then.
    urls = [f"u{i}" for i in range(6)]
    gate = Rendezvous(len(urls), timeout=5.0)
    from_your_threads: list[bool] = []

    def meet(url: str) -> str:
        frame = sys._getframe(1)
        while frame is not None and not learner.submission.owns(frame.f_code.co_filename):
            frame = frame.f_back
        from_your_threads.append(frame is not None and threading.current_thread().name != "learner-call")
        gate.wait()
        return f"page {url}"

    timeout = 3.0
    call = called(urls, timeout) + ", the threads switching at every bytecode of your code"
    with web(meet) as fake, Lockstep(learner.submission) as scheduler:
        outcome = learner.run(learner.fetch_all, urls, fake, timeout=timeout, called=call, deadline=timeout + GIVE_UP)
        gate.abort()
    if not gate.opened:
        raise failure(
            f"The fetches did not all run at the same time: at most {gate.most_waiting} of {len(urls)} were in "
            "flight at once, so the threads never returned together.",
            called=call,
            contract="one thread per URL, all started before waiting for any",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="start one threading.Thread per URL first, then join them",
        )
    if scheduler.steps == 0 or (any(from_your_threads) and scheduler.handovers == 0):
        raise RuntimeError("grader error: the scheduler forced no thread switch in the learner's code")
    expected = [f"page {url}" for url in urls]
    if outcome.value != expected and not any(from_your_threads):
        value = learner.result(outcome)
        raise failure(
            f"fetch_all returned {short_repr(value)}; every fetch returned at once, so expected {expected}.",
            called=call,
            evidence=fake.log.timeline(until=outcome.elapsed),
        )
    if outcome.value != expected:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"An update was lost: every fetch returned at once, but with the threads taking turns at every "
            f"step fetch_all {got}. Shared state (a counter, a list, a dict) changed by several threads "
            "without a lock lost a write.",
            called=call,
            contract="fetch_all returns every result, however the threads are scheduled",
            evidence=[
                f"{scheduler.handovers} forced thread switches in your code; all {len(urls)} fetches returned",
                *fake.log.timeline(until=outcome.elapsed),
            ],
            idea="give each thread its own slot (results[i] = ...), or guard shared counters with a threading.Lock",
        )


# ---------------------------------------------------------------- task 2 · exceptions from threads


@pytest.mark.task(2)
def test_the_first_failing_url_in_input_order_is_reraised(learner):
    urls = ["u0", "u1", "u2", "u3"]
    errors = {"u1": ValueError("u1 is down"), "u3": ValueError("u3 is down")}
    u3_failed = threading.Event()

    def two_failures(url: str) -> str:
        if url == "u1":
            u3_failed.wait(3.0)  # u3 fails first in time; u1 comes first in input order
            raise errors["u1"]
        if url == "u3":
            u3_failed.set()
            raise errors["u3"]
        return f"page {url}"

    with web(two_failures) as fake:
        outcome = learner.run(learner.fetch_all, urls, fake, timeout=30.0, called=called(urls, 30.0), deadline=30.0)
    call = called(urls, 30.0) + " where u1 and u3 raise"
    idea = "catch the exception inside the thread, keep it at the URL's index, re-raise it after the joins"
    if not outcome.raised:
        raise failure(
            f"The exception was lost inside its thread: fetch_all returned {short_repr(outcome.value)} "
            "although fetch('u1') and fetch('u3') raised ValueError.",
            called=call,
            idea=idea,
        )
    if outcome.error is errors["u3"]:
        raise failure(
            "fetch_all raised the exception of u3, the first to fail in time; the contract wants the "
            "first failing URL in input order: u1.",
            called=call,
            evidence=fake.log.timeline(),
            idea=idea,
        )
    if outcome.error is not errors["u1"]:
        raise failure(
            f"fetch_all raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}, not the "
            "original exception object that fetch('u1') raised: re-raise it as it is.",
            called=call,
            idea=idea,
        )


@pytest.mark.task(2)
def test_an_exception_is_reraised_only_after_every_fetch_finished(learner):
    urls = ["u0", "u1"]
    error = ValueError("u0 is down")
    u0_raised, returned = threading.Event(), threading.Event()

    def fail_then_slow(url: str) -> str:
        if url == "u0":
            u0_raised.set()
            raise error
        u0_raised.wait(5.0)
        returned.wait(SLOW)  # u1 goes on for SLOW s after u0 raised, or until fetch_all returned
        return "page u1"

    with web(fail_then_slow) as fake:
        still_running: list[str] = []

        def call_and_look() -> object:
            try:
                return learner.fetch_all(urls, fake, timeout=30.0)
            finally:
                still_running.extend(c.label for c in fake.log.running())
                returned.set()

        call = called(urls, 30.0) + f" where u0 raises at once and u1 ends {SLOW:g} s later"
        outcome = learner.run(call_and_look, called=call, deadline=30.0)
    if outcome.error is not error:
        raise failure(
            f"fetch_all {'raised ' + type(outcome.error).__name__ if outcome.raised else 'returned'} "
            "instead of re-raising the ValueError of u0.",
            called=call,
        )
    if still_running:
        raise failure(
            f"fetch_all re-raised u0's exception while fetch({still_running[0]!r}) was still running: "
            "it should re-raise once all fetches have finished.",
            called=call,
            evidence=fake.log.timeline(),
            idea="join every thread (within the deadline) before re-raising",
        )


# ---------------------------------------------------------------- task 3 · one deadline


@pytest.mark.task(3)
def test_a_hung_fetch_raises_timeout_error_at_the_deadline(learner):
    with web() as fake:
        fake.behaviour = lambda url: fake.hang() if url == "u1" else f"page {url}"
        expect_timeout(learner, fake, ["u0", "u1", "u2"], HUNG_TIMEOUT)


@pytest.mark.task(3)
def test_the_deadline_is_one_for_the_whole_call(learner):
    # u0 ends before the deadline, u1 and u2 after it.  Waits that each get the whole timeout add up to at
    # least 1.5 s (u0's 0.4 s, then u1 ends at 0.9 s, then u2's wait expires with u2 at 1.5 s); a timeout
    # split among the three (0.2 s each) expires while u0 still runs.
    urls, timeout, takes = list(DEADLINE_TAKES), DEADLINE_TIMEOUT, DEADLINE_TAKES
    with web() as fake:
        fake.behaviour = lambda url: "late" if fake.release.wait(takes[url]) else f"page {url}"
        call = called(urls, timeout) + " where the fetches take {:g} s, {:g} s and {:g} s".format(*takes.values())
        outcome = learner.run(learner.fetch_all, urls, fake, timeout=timeout, called=call, deadline=10.0)
        running = [c.label for c in fake.log.running()]
        timeline = fake.log.timeline(until=outcome.elapsed)
    timed_out = isinstance(outcome.error, TimeoutError)
    contract = "timeout is one deadline for the whole call, counted from entry: then raise TimeoutError"
    idea = "deadline = time.monotonic() + timeout once; each join(timeout=deadline - time.monotonic())"
    what = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
    if outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"fetch_all {what} only after {outcome.elapsed:.2f} s with timeout={timeout:g}: each wait got its "
            "own timeout, so the waits added up. There is one deadline for the whole call.",
            called=call,
            contract=contract,
            evidence=timeline,
            idea=idea,
        )
    if timed_out and outcome.elapsed < timeout - EARLY:
        raise failure(
            f"fetch_all raised TimeoutError after {outcome.elapsed:.2f} s, before its deadline of timeout="
            f"{timeout:g} s: "
            + (
                f"u0, which takes {takes['u0']:g} s, was still running and would have finished in time."
                if outcome.elapsed < takes["u0"]
                else "a join gave up early."
            )
            + f" A deadline per thread (timeout / n = {timeout / len(urls):.2f} s?) is not one for the call.",
            called=call,
            contract=contract,
            evidence=timeline,
            idea=idea,
        )
    if not timed_out:
        when = "before" if outcome.elapsed < timeout - EARLY else "at"
        raise failure(
            f"fetch_all {what} after {outcome.elapsed:.2f} s, {when} its deadline of timeout={timeout:g} s, while "
            f"{' and '.join(running) or 'fetches'} {'was' if len(running) == 1 else 'were'} still running: it should "
            "raise TimeoutError then, without waiting for them.",
            called=call,
            contract=contract,
            evidence=timeline,
            idea="when a thread is still alive at the deadline, raise TimeoutError (not partial results)",
        )


@pytest.mark.task(3)
def test_the_deadline_wins_even_after_another_fetch_raised(learner):
    def fail_or_hang(url: str) -> str:
        if url == "u0":
            raise ValueError("u0 is down")
        return fake.hang()

    with web(fail_or_hang) as fake:
        expect_timeout(learner, fake, ["u0", "u1"], HUNG_TIMEOUT, after_error=True)


@pytest.mark.task(3)
def test_a_fetch_still_running_does_not_keep_the_interpreter_alive(learner):
    with web() as fake:
        fake.behaviour = lambda url: fake.hang() if url == "u1" else f"page {url}"
        outcome = expect_timeout(learner, fake, ["u0", "u1"], HUNG_TIMEOUT)
        keeping_alive = leaks.threads_left([t for t in outcome.threads if not t.daemon], grace=0.2)
    if keeping_alive:
        raise failure(
            f"After the TimeoutError, {leaks.describe(keeping_alive[0])} was still running the hung fetch: "
            "a non-daemon thread keeps the interpreter alive at exit, so the program would hang.",
            called=called(["u0", "u1"], HUNG_TIMEOUT) + " where u1 never returns",
            contract="a fetch still running must not keep the interpreter alive at exit",
            idea="threading.Thread(..., daemon=True)"
            + (
                "; a ThreadPoolExecutor cannot do this: its workers are not daemon threads, and the interpreter "
                "joins them at exit"
                if keeping_alive[0].name.startswith("ThreadPoolExecutor")
                else ""
            ),
        )
