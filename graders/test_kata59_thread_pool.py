"""Kata 59 · The crawl on a ThreadPoolExecutor: the claims.

The fake web's pages are held, released or made to fail by the grader: rendezvous prove how many
calls were in flight (and that one more never was), a page that hangs shows whether an error or the
deadline waits for it, and pages fetched after an error are counted against what the contract
allows (a call already queued may start in the instant before ``crawl`` sees the error).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any

import pytest

from graders.harness import leaks
from graders.harness.inflight import Rendezvous
from graders.harness.lockstep import Lockstep
from graders.harness.messages import failure, short_repr
from graders.harness.site import Graph, Site, chain, expect_fetched_once, expect_reachable, site, star

GIVE_UP = 5.0
"""Seconds after which a crawl of a few dozen pages is a hang."""
MARGIN = 1.0
"""Seconds that raising may take once the error or the deadline is there (a loaded machine)."""
POOL_IDEA = (
    "keep a set of pending futures; wait(pending, timeout=..., return_when=FIRST_COMPLETED); "
    "submit the new pages each finished call found"
)
FAIL_FAST_IDEA = (
    "on an error or the deadline: cancel the pending futures, executor.shutdown(wait=False, cancel_futures=True), "
    "raise; leaving a `with ThreadPoolExecutor()` block waits for every call still running"
)


def called(max_workers: int, timeout: float) -> str:
    return f"crawl('root', get_links, max_workers={max_workers}, timeout={timeout:g})"


def run_crawl(learner, fake: Site, max_workers: int, timeout: float, *, call: str | None = None, on_hang=None):
    call = call or called(max_workers, timeout)
    return learner.run(
        learner.crawl,
        "root",
        fake,
        max_workers=max_workers,
        timeout=timeout,
        called=call,
        deadline=timeout + GIVE_UP,
        on_hang=on_hang or f"{call} did not return {GIVE_UP:g} s after its own deadline.",
    )


class Down(ConnectionError):
    """The grader's failure of one page: a network error, so that a crawl that catches OSError (or
    ConnectionError) and carries on swallows it too."""


def got(outcome) -> str:
    if outcome.raised:
        return f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
    return f"returned {short_repr(outcome.value)}"


# ---------------------------------------------------------------- task 1 · the crawl on an executor


@pytest.mark.task(1)
def test_crawl_returns_every_reachable_page(learner):
    graph = {
        "root": ["a", "b", "a", "root"],
        "a": ["c"],
        "b": ["c", "b", "d"],
        "c": ["root", "e"],
        "d": [],
        "e": ["f"],
        "f": ["g"],
        "g": ["a"],
        "unreachable": ["a"],
    }
    for workers in (1, 3):
        with site(graph) as fake:
            outcome = run_crawl(learner, fake, workers, 10.0)
        expect_reachable(learner.result(outcome), graph, called=outcome.called, fake=fake, idea=POOL_IDEA)


@pytest.mark.task(1)
def test_get_links_is_called_once_per_page(learner):
    # a and b are in flight together and both link to c; then every thread in the learner's code takes
    # turns at each bytecode, so a check-then-add done in two threads sees c as new in both.
    graph: Graph = {"root": ["a", "b", "a"], "a": ["c", "a"], "b": ["c", "root"], "c": []}
    gate = Rendezvous(2, timeout=2.0)
    call = called(2, 10.0) + ", threads switching at every bytecode of your code"
    with Lockstep(learner.submission) as scheduler:

        def meet(page: str) -> None:
            gate.wait()
            scheduler.line_up(2, patience=0.2)

        with site(graph, {"a": meet, "b": meet}) as fake:
            outcome = run_crawl(learner, fake, 2, 10.0, call=call)
            gate.abort()
    expect_reachable(learner.result(outcome), graph, called=call, fake=fake, idea=POOL_IDEA)
    expect_fetched_once(
        fake,
        called=call,
        why="two calls found it at once, and both were taken for the first to find it.",
        evidence=fake.log.timeline(until=outcome.elapsed),
        idea="keep the seen set in the thread that submits (or under a Lock); add a page when you submit it",
    )


@pytest.mark.task(1)
def test_up_to_max_workers_calls_are_in_flight_at_once(learner):
    workers = 4
    gate = Rendezvous(workers, timeout=2.0)
    graph = star("root", 8)
    with site(graph, {page: lambda page: gate.wait() for page in graph["root"]}) as fake:
        outcome = run_crawl(learner, fake, workers, 20.0)
        gate.abort()
    if not gate.opened:
        raise failure(
            f"With 8 pages waiting, at most {gate.most_waiting} of max_workers={workers} get_links calls were in "
            "flight at once: submit(...).result() waits for each call before the next.",
            called=outcome.called,
            contract="up to max_workers calls in flight",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea=POOL_IDEA,
        )
    expect_reachable(learner.result(outcome), graph, called=outcome.called, fake=fake, idea=POOL_IDEA)


@pytest.mark.task(1)
def test_never_more_than_max_workers_calls_at_once(learner):
    # Every call waits at a gate that opens only if one call more than max_workers is in flight.
    workers = 3
    gate = Rendezvous(workers + 1, timeout=0.5)
    graph = star("root", 12)
    with site(graph, {page: lambda page: gate.wait() for page in graph["root"]}) as fake:
        outcome = run_crawl(learner, fake, workers, 20.0)
        gate.abort()
    if gate.opened or fake.log.max_in_flight > workers:
        raise failure(
            f"{fake.log.max_in_flight} get_links calls were in flight at once with max_workers={workers}: never "
            "more than max_workers (an executor with more workers than asked for?).",
            called=outcome.called,
            contract="never more than max_workers calls at once",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="ThreadPoolExecutor(max_workers=max_workers)",
        )
    expect_reachable(learner.result(outcome), graph, called=outcome.called, fake=fake, idea=POOL_IDEA)


class ExecutorsMade:
    """Inside ``with ExecutorsMade() as made:``, every ThreadPoolExecutor that threads started meanwhile create
    (a subclass's too) is kept in ``made.executors``, found by a profile hook on its ``__init__`` (nothing is
    patched).  The strong reference is the point: an executor that nobody shut down keeps its idle worker
    threads alive while something refers to it, as it would if the learner's code kept it."""

    def __init__(self) -> None:
        self.executors: list[ThreadPoolExecutor] = []
        self._init = ThreadPoolExecutor.__init__.__code__

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is self._init:
            executor = frame.f_locals.get("self")
            if isinstance(executor, ThreadPoolExecutor) and executor not in self.executors:
                self.executors.append(executor)

    def __enter__(self) -> ExecutorsMade:
        threading.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info: object) -> None:
        threading.setprofile(None)  # type: ignore[arg-type]

    def release(self) -> None:
        """Shut down what the learner's code left running, and let the executors go."""
        for executor in self.executors:
            executor.shutdown(wait=False, cancel_futures=True)
        self.executors.clear()


@pytest.mark.task(1)
def test_the_executor_is_shut_down_when_crawl_returns(learner):
    graph = {"root": ["a", "b"], "a": ["c"], "b": [], "c": []}
    try:
        with ExecutorsMade() as made, site(graph) as fake:
            outcome = run_crawl(learner, fake, 3, 10.0)
        expect_reachable(learner.result(outcome), graph, called=outcome.called, fake=fake, idea=POOL_IDEA)
        running = [e for e in made.executors if getattr(e, "_shutdown", True) is False]
        if running:
            workers = [t for e in running for t in getattr(e, "_threads", ()) if t.is_alive()]
            raise failure(
                f"crawl returned, but {len(running)} ThreadPoolExecutor(s) it created were never shut down: "
                f"{len(workers)} idle worker thread(s) stay alive for as long as anything refers to the executor.",
                called=outcome.called,
                contract="when crawl returns, the executor is shut down",
                evidence=[f"still running: {t.name}" for t in workers],
                idea="shut the executor down on every path: a `with` block, or executor.shutdown() in a finally",
            )
        leaks.expect_finished(
            outcome, "returned", function="crawl", idea="shut the executor down: a `with` block, or executor.shutdown()"
        )
    finally:
        made.release()


# ---------------------------------------------------------------- task 2 · failing fast


@pytest.mark.task(2)
def test_an_error_is_raised_without_waiting_for_calls_in_flight(learner):
    # b fails while a is in flight, and a never returns until the claim ends.
    error = Down("b is down")
    gate = Rendezvous(2, timeout=2.0)

    def hang(page: str) -> None:
        gate.wait()
        fake.release.wait()

    def fail(page: str) -> None:
        gate.wait()
        raise error

    call = called(2, 30.0) + " where get_links('b') raises while get_links('a') never returns"
    with site({"root": ["a", "b"], "a": [], "b": []}, {"a": hang, "b": fail}) as fake:
        outcome = learner.run(
            learner.crawl,
            "root",
            fake,
            max_workers=2,
            timeout=30.0,
            called=call,
            deadline=GIVE_UP,
            on_hang=f"crawl did not return within {GIVE_UP:g} s after get_links('b') raised: it still waits for "
            "get_links('a'), which never returns (where it waits is below). Raise as soon as a finished future holds "
            "an exception: shutdown(wait=True), leaving a `with ThreadPoolExecutor()` block, or waiting on until every "
            "future is done all wait for calls in flight.",
        )
        gate.abort()
    if outcome.error is not error:
        raise failure(
            f"get_links('b') raised Down('b is down'), and crawl {got(outcome)}: re-raise that exception, the "
            "same object, at once.",
            called=call,
            contract="fail fast: raise the first get_links exception promptly",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea=FAIL_FAST_IDEA,
        )


@pytest.mark.task(1)
def test_a_timeout_error_from_get_links_is_reraised_as_is(learner):
    # get_links('b') raises TimeoutError itself (a socket timeout is one) long before crawl's own deadline.
    error = TimeoutError("connect timed out")

    def fail(page: str) -> None:
        raise error

    call = called(2, 30.0) + " where get_links('b') raises TimeoutError('connect timed out')"
    with site({"root": ["a", "b"], "a": [], "b": []}, {"b": fail}) as fake:
        outcome = run_crawl(learner, fake, 2, 30.0, call=call)
    if outcome.error is not error:
        replaced = isinstance(outcome.error, TimeoutError)
        raise failure(
            f"get_links('b') raised TimeoutError('connect timed out'), and crawl {got(outcome)}: re-raise get_links' "
            "exception, the same object"
            + (
                ", even when it is a TimeoutError: the crawl's timeout (30 s) had not run out, so it was not "
                "crawl's own deadline."
                if replaced
                else "."
            ),
            called=call,
            contract="fail fast: raise the first get_links exception promptly (the same object)",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="tell the deadline apart by the clock (or by wait() returning nothing done), not by catching "
            "every TimeoutError; re-raise future.exception() as it is",
        )


@pytest.mark.task(2)
def test_after_an_error_no_new_call_starts(learner):
    # By call order, whatever order the pages are submitted in: the first leaf fetched waits until the
    # second one has failed; calls that start after the failure wait until crawl has raised (0.1 s at
    # most), so no worker runs ahead of crawl.  At most one queued call per worker may start in between.
    workers = 2
    graph = star("root", 40)
    error = Down("the second page fetched is down")
    failed, crawl_over = threading.Event(), threading.Event()
    failed_at: list[float] = []
    order: list[str] = []
    lock = threading.Lock()

    def leaf(page: str) -> None:
        with lock:
            order.append(page)
            turn = len(order)
        if turn == 1:
            failed.wait(GIVE_UP)
        elif turn == 2:
            failed_at.append(fake.log.now())
            failed.set()
            raise error
        elif failed.is_set():
            crawl_over.wait(0.1)

    hooks = dict.fromkeys(graph["root"], leaf)
    call = called(workers, 30.0) + " where the second page fetched raises"

    def crawl_then_mark() -> object:
        try:
            return learner.crawl("root", fake, max_workers=workers, timeout=30.0)
        finally:
            crawl_over.set()

    with site(graph, hooks) as fake:
        outcome = learner.run(crawl_then_mark, called=call, deadline=GIVE_UP + 5.0)
        failed.set()
        time.sleep(0.1)  # a call that would still start after crawl raised
    if outcome.error is not error:
        raise failure(
            f"get_links({order[1] if len(order) > 1 else '?'!r}) raised {error!r}, and crawl {got(outcome)}: re-raise "
            "that exception.",
            called=call,
            contract="fail fast: raise the first get_links exception promptly",
            idea=FAIL_FAST_IDEA,
        )
    late = [c.label for c in fake.log.calls if failed_at and c.start > failed_at[0]]
    if len(late) > workers:
        raise failure(
            f"After get_links({order[1]!r}) raised, {len(late)} more calls started ({short_repr(late, 60)}): once "
            f"crawl sees an error it submits nothing more and cancels what is pending (at most {workers}, one per "
            "worker, may start before it sees the error).",
            called=call,
            contract="fail fast: nothing more submitted, pending futures cancelled",
            evidence=[f"{len(fake.log.calls)} calls in all, of {len(graph['root']) + 1} pages"],
            idea=FAIL_FAST_IDEA,
        )


# ---------------------------------------------------------------- task 3 · one deadline


@pytest.mark.task(3)
def test_a_hung_call_does_not_delay_the_timeout_error(learner):
    timeout = 0.3
    call = called(2, timeout) + " where get_links('a') never returns"
    with site({"root": ["a", "b"], "a": [], "b": []}, {"a": lambda page: fake.release.wait()}) as fake:
        outcome = run_crawl(
            learner,
            fake,
            2,
            timeout,
            call=call,
            on_hang=f"crawl did not return {GIVE_UP:g} s after its deadline of {timeout:g} s: it still waits for the "
            "hung call get_links('a') (where it waits is below). At the deadline, raise at once: "
            "shutdown(wait=True), leaving a `with ThreadPoolExecutor()` block, or a wait without the time left all "
            "wait for calls in flight.",
        )
    if not isinstance(outcome.error, TimeoutError) or outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"crawl {got(outcome)} after {outcome.elapsed:.2f} s, with timeout={timeout:g} and a hung call: it should "
            f"raise TimeoutError at the deadline (within {MARGIN:g} s), without waiting for the hung call.",
            called=call,
            contract="past the deadline, TimeoutError promptly, without waiting for calls in flight",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea=FAIL_FAST_IDEA,
        )


@pytest.mark.task(3)
def test_a_result_that_hangs_while_iterated_does_not_delay_the_timeout_error(learner):
    # get_links returns an Iterable: reading it is part of the call, and belongs in the worker (list(...)).
    timeout = 0.3
    call = called(2, timeout) + " where get_links('a') returns a generator that hangs after its first link"
    stuck = threading.Event()

    def get_links(page: str) -> Iterable[str]:
        links = fake(page)
        return hangs_after(links) if page == "a" else links

    def hangs_after(links: Iterable[str]) -> Iterator[str]:
        yield from links
        stuck.set()
        fake.release.wait()  # until the claim ends

    with site({"root": ["a", "b"], "a": ["c"], "b": [], "c": []}) as fake:
        outcome = learner.run(
            learner.crawl,
            "root",
            get_links,
            max_workers=2,
            timeout=timeout,
            called=call,
            deadline=timeout + GIVE_UP,
            on_hang=f"crawl did not return {GIVE_UP:g} s after its deadline of {timeout:g} s: it is stuck reading "
            "get_links('a')'s result (where, below). Reading what get_links returns is part of the call: do it in "
            "the worker, so that the deadline can still be kept by the thread that called crawl.",
        )
    if not isinstance(outcome.error, TimeoutError) or outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"crawl {got(outcome)} after {outcome.elapsed:.2f} s, with timeout={timeout:g}, while reading "
            f"get_links('a')'s result hung{'' if stuck.is_set() else ' (it never got that far)'}: TimeoutError is "
            f"due at the deadline (within {MARGIN:g} s).",
            called=call,
            contract="get_links returns an Iterable; past the deadline, TimeoutError promptly",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="let the worker read the result: submit(lambda page: list(get_links(page)), page)",
        )


@pytest.mark.task(3)
def test_the_timeout_is_one_deadline_for_the_whole_crawl(learner):
    # A chain of 8 pages, 0.1 s each: every single wait is short, the whole crawl is not.
    graph = chain(8)
    timeout, step = 0.35, 0.1
    call = called(2, timeout) + f" on a chain of 8 pages that take {step:g} s each"
    with site(graph, {page: lambda page: time.sleep(step) for page in graph}) as fake:
        outcome = run_crawl(learner, fake, 2, timeout, call=call)
    if not isinstance(outcome.error, TimeoutError) or outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"crawl {got(outcome)} after {outcome.elapsed:.2f} s with timeout={timeout:g}: the crawl as a whole "
            f"takes 0.8 s, so TimeoutError is due at {timeout:g} s. The timeout is one deadline for the whole crawl, "
            "not a fresh one for each wait.",
            called=call,
            contract="timeout is one deadline for the crawl",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="deadline = time.monotonic() + timeout once; wait with deadline - time.monotonic()",
        )
