"""Kata 64 · True parallelism with processes: the claims.

Parallelism is proven by structure: two items meet at a rendezvous across processes, and report
process ids that are not the grader's.  Chunking is proven by counting the messages sent to the
pool (``ProcessPoolExecutor.submit`` calls: ``map`` sends one per chunk), with the time against one
big-chunk run as evidence.  Worker processes are read from ``/proc``; a worker that lingers on exit
shows whether the pool waited for its workers.
"""

from __future__ import annotations

import concurrent.futures
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graders.harness import children, work
from graders.harness.messages import failure, short_repr

GIVE_UP = 20.0
"""Seconds after which a map over a process pool is a hang."""
MEET_WAIT = 5.0
"""How long an item waits in the cross-process rendezvous for the other one."""
TINY = 20_000
MAX_MESSAGES = TINY // 10
"""Messages to the pool allowed for TINY tiny items: one per item is the mistake; chunks of 10 or
more items on average pass."""
POOL_IDEA = "with ProcessPoolExecutor(workers) as pool: return list(pool.map(func, items, chunksize=...))"
STDLIB_HANG = (
    " (a thread stuck inside concurrent/futures/process.py rather than in your code can be a CPython bug of "
    "this interpreter: see the hint)"
)


class TooManyMessages(RuntimeError):
    """Raised by the grader's counting ``submit`` once a run has proven it sends one message per item."""


def called(func: str, items: str, workers: int, chunksize: int | None = None) -> str:
    return f"parallel_map({func}, {items}, workers={workers}, chunksize={chunksize})"


HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
"""Long-lived helper processes of multiprocessing's spawn and forkserver start methods: not pool workers."""


def alive_workers(watch: children.ChildWatch) -> list[children.Child]:
    return [c for c in watch.left_behind() if not c.zombie and not any(h in c.command for h in HELPERS)]


@contextmanager
def no_children_left() -> Iterator[children.ChildWatch]:
    """Watch the claim's child processes; kill workers left at the end, so the next claim starts clean."""
    with children.watch() as watch:
        try:
            yield watch
        finally:
            children.kill(alive_workers(watch))


def run(learner, func: Callable[..., Any], items: list[Any], workers: int, chunksize: int | None, call: str):
    return learner.run(
        learner.parallel_map,
        func,
        items,
        workers=workers,
        chunksize=chunksize,
        called=call,
        deadline=GIVE_UP,
        on_hang=f"{call} did not return within {GIVE_UP:g} s" + STDLIB_HANG + ".",
    )


# ---------------------------------------------------------------- task 1 · map over processes, in order


@pytest.mark.task(1)
def test_fewer_than_one_worker_is_a_value_error(learner):
    call = called("square", "[1, 2]", 0)
    with no_children_left():
        outcome = run(learner, work.square, [1, 2], 0, None, call)
    if not isinstance(outcome.error, ValueError):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(f"{call} {got}; expected ValueError: a pool needs at least one worker.", idea=POOL_IDEA)


@pytest.mark.task(1)
def test_no_items_is_an_empty_list(learner):
    call = called("square", "[]", 2)
    with no_children_left():
        value = learner.result(run(learner, work.square, [], 2, None, call))
    if value != []:
        raise failure(f"{call} returned {short_repr(value)}; an empty input gives an empty list: [].")


@pytest.mark.task(1)
def test_results_come_back_in_input_order(learner):
    items = [(i, 0.05 * (5 - i)) for i in range(6)]  # the first items take longest
    call = called("sleep_then_return", "items 0-5, the first ones slowest", 3, 1)
    with no_children_left():
        value = learner.result(run(learner, work.sleep_then_return, items, 3, 1, call))
    if value != list(range(6)):
        raise failure(
            f"{call} returned {short_repr(value)}; expected [0, 1, 2, 3, 4, 5]: results in input order, "
            "not in the order the workers finished.",
            called=call,
            contract="results in input order",
            idea="pool.map keeps input order; as_completed gives completion order",
        )


@pytest.mark.task(1)
def test_two_items_run_at_once_in_two_worker_processes(learner):
    usable = len(os.sched_getaffinity(0))
    if usable < 2:
        pytest.skip(f"this machine gives the grader {usable} CPU: two items cannot run at the same moment")
    with tempfile.TemporaryDirectory() as folder, no_children_left():
        items = [(folder, 0, MEET_WAIT), (folder, 1, MEET_WAIT)]
        call = called("meet", "2 items that wait for each other", 2, 1)
        value = learner.result(run(learner, work.meet, items, 2, 1, call))
    pids = [pid for pid, _ in value]
    met = all(ok for _, ok in value)
    if os.getpid() in pids or len(set(pids)) < 2 or not met:
        why = (
            "in the grader's own process: threads, not processes (under the GIL, threads take turns at Python code)"
            if os.getpid() in pids
            else "in one worker process, one after the other"
            if len(set(pids)) < 2
            else "never at the same moment"
        )
        raise failure(
            f"The two items ran {why}: CPU-bound work runs in parallel only in separate worker processes.",
            called=call,
            contract="with 2 or more CPUs, two items run at the same moment in two worker processes",
            evidence=[f"process ids: {pids} (the grader is {os.getpid()}); met: {met}"],
            idea=POOL_IDEA,
        )


# ---------------------------------------------------------------- task 2 · chunks for tiny items


@pytest.mark.task(2)
def test_tiny_items_go_in_chunks(learner):
    items = list(range(TINY))
    call = called("plus_one", f"{TINY:,} tiny items", 2)
    messages = [0]
    original = concurrent.futures.ProcessPoolExecutor.submit

    def counting_submit(self, fn, /, *args, **kwargs):
        messages[0] += 1
        if messages[0] > MAX_MESSAGES:  # enough evidence: stop before the whole slow run
            raise TooManyMessages(f"more than {MAX_MESSAGES} messages to the pool")
        return original(self, fn, *args, **kwargs)

    concurrent.futures.ProcessPoolExecutor.submit = counting_submit  # type: ignore[method-assign]
    try:
        with no_children_left():
            outcome = run(learner, work.plus_one, items, 2, None, call)
    finally:
        concurrent.futures.ProcessPoolExecutor.submit = original  # type: ignore[method-assign]
    if messages[0] > MAX_MESSAGES:
        per_message = outcome.elapsed / messages[0]
        with no_children_left(), concurrent.futures.ProcessPoolExecutor(2) as pool:
            start = time.perf_counter()
            list(pool.map(work.plus_one, items, chunksize=TINY // 8))
            chunked = time.perf_counter() - start
        raise failure(
            f"{call} sent more than {MAX_MESSAGES:,} messages to the pool, about one per item: each message costs a "
            "pickle and a trip between processes, far more than plus_one itself. Send the items in chunks.",
            called=call,
            contract="chunksize=None picks a chunk size so that 20,000 tiny items are not drowned in overhead",
            evidence=[
                f"{per_message * 1000:.2f} ms per message: about {per_message * TINY:.1f} s for {TINY:,} items one "
                f"by one; the grader's map in chunks of {TINY // 8:,} took {chunked:.2f} s"
            ],
            idea="pool.map(func, items, chunksize=max(1, len(items) // (workers * 4)))",
        )
    value = learner.result(outcome)
    if value != [x + 1 for x in items]:
        raise failure(f"{call} returned wrong results (first ones: {short_repr((value or [])[:5])}).")


# ---------------------------------------------------------------- task 3 · errors and clean-up


@pytest.mark.task(3)
def test_an_exception_keeps_its_type(learner):
    call = called("fail_on_three", "range(8)", 2, 1)
    with no_children_left():
        outcome = run(learner, work.fail_on_three, list(range(8)), 2, 1, call)
    if type(outcome.error) is not ValueError:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"func raised ValueError('item 3 is bad') in a worker, and parallel_map {got}: re-raise it with its "
            "original type (ValueError).",
            called=call,
            contract="an exception raised by func is re-raised with its original type",
            idea="pool.map re-raises a worker's exception in the caller when you reach its result; let it go",
        )


@pytest.mark.task(3)
def test_an_unpicklable_function_is_a_type_error_before_any_worker_starts(learner):
    def local_double(x: int) -> int:
        return 2 * x

    call = called("local_double", "[1, 2, 3]", 2) + ", where local_double is defined inside another function"
    with no_children_left() as watch:
        outcome = run(learner, local_double, [1, 2, 3], 2, None, call)
    started = len(watch.spawned)
    if not isinstance(outcome.error, TypeError) or "local_double" not in str(outcome.error) or started:
        got = (
            f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
            if outcome.raised
            else f"returned {short_repr(outcome.value)}"
        )
        raise failure(
            f"{call} {got}"
            + (f" after starting {started} worker process(es)" if started else "")
            + ": a function that cannot be pickled cannot reach a worker. Check first (pickle.dumps(func)) and "
            "raise TypeError naming the function, before any worker starts.",
            called=call,
            contract="before any worker starts, an unpicklable func raises TypeError naming the function",
            idea="try: pickle.dumps(func) except Exception: raise TypeError(f'cannot pickle {func.__qualname__}')",
        )


@pytest.mark.task(3)
def test_a_dying_worker_fails_fast_with_broken_process_pool(learner):
    call = called("die_on_three", "range(8)", 2, 1) + ", where item 3 ends its worker process with os._exit(1)"
    with no_children_left():
        pids = learner.result(run(learner, work.pid_of, [0, 1], 2, 1, called("pid_of", "[0, 1]", 2, 1)))
    if os.getpid() in pids:
        raise failure(
            "func ran in the grader's own process (threads, not processes), so a worker that dies would take the "
            "whole program with it: run func in worker processes.",
            called=call,
            idea=POOL_IDEA,
        )
    with no_children_left():
        outcome = run(learner, work.die_on_three, list(range(8)), 2, 1, call)
    if not isinstance(outcome.error, concurrent.futures.process.BrokenProcessPool):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"A worker process died, and parallel_map {got}: it should fail at once with BrokenProcessPool.",
            called=call,
            contract="a worker process that dies fails promptly with BrokenProcessPool, never a hang",
            idea="let BrokenProcessPool from the pool's results reach the caller",
        )


@pytest.mark.task(3)
def test_no_worker_process_is_left_running(learner):
    for func, when in ((work.lingering, "returned"), (work.lingering_fail_on_three, "raised")):
        call = called(func.__name__, "range(6)", 2, 1) + f": its workers take {work.LINGER:g} s to exit"
        with no_children_left() as watch:
            outcome = run(learner, func, list(range(6)), 2, 1, call)
            alive = alive_workers(watch)
        if alive:
            raise failure(
                f"parallel_map {when} while {len(alive)} worker process(es) were still running: when it returns or "
                "raises, every worker process has exited (the pool was shut down without waiting).",
                called=call,
                contract="when it returns or raises, every worker process has exited",
                evidence=[c.describe() for c in alive[:4]],
                idea="a `with ProcessPoolExecutor(...)` block waits for the workers on the way out",
            )
        if when == "returned":
            learner.result(outcome)
