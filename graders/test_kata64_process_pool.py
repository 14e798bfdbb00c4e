"""Kata 64 · True parallelism with processes: the claims.

Parallelism is proven by structure: two items meet at a rendezvous across processes (with a given
chunksize and with the default), and report process ids that are not the grader's.  Chunking is proven
by counting the messages sent to the pool (``ProcessPoolExecutor.submit`` calls: ``map`` sends one per
chunk), with the time against one big-chunk run as evidence.  The pools the learner creates are
recorded (their number of workers, how many a call started).  Worker processes are read from ``/proc``;
a worker that lingers on exit shows whether the pool waited for its workers.
"""

from __future__ import annotations

import concurrent.futures
import functools
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graders.harness import children, deadline, work
from graders.harness.messages import ClaimFailed, failure, short_repr

GIVE_UP = 20.0
"""Seconds after which a map over a process pool is a hang."""
MEET_WAIT = 5.0
"""How long an item waits in the cross-process rendezvous for the other one."""
TINY = 20_000
MAX_MESSAGES = TINY // 10
"""Messages to the pool allowed for TINY tiny items: one per item is the mistake; chunks of 10 or
more items on average pass."""
POOL_IDEA = "with ProcessPoolExecutor(workers) as pool: return list(pool.map(func, items, chunksize=...))"
CHUNK_IDEA = "chunksize = max(1, len(items) // (workers * 4)) when it is None, else the given one, in pool.map"
STDLIB_HANG = (
    ", stuck inside concurrent/futures/process.py rather than in your code: that can be a CPython bug of "
    "this interpreter (see the hint)"
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


POOLS: list[int] = []
"""The number of workers of every ProcessPoolExecutor created during the current call."""


@contextmanager
def pools_made() -> Iterator[list[int]]:
    """Record the ``max_workers`` of each ProcessPoolExecutor created inside the block."""
    original = concurrent.futures.ProcessPoolExecutor.__init__
    POOLS.clear()

    def recording_init(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        POOLS.append(self._max_workers)

    concurrent.futures.ProcessPoolExecutor.__init__ = recording_init  # type: ignore[method-assign]
    try:
        yield POOLS
    finally:
        concurrent.futures.ProcessPoolExecutor.__init__ = original  # type: ignore[method-assign]


def run(learner, func: Callable[..., Any], items: Iterable[Any], workers: int, chunksize: int | None, call: str):
    before = set(threading.enumerate())
    with pools_made() as pools:
        try:
            return learner.run(
                learner.parallel_map,
                func,
                items,
                workers=workers,
                chunksize=chunksize,
                called=call,
                deadline=GIVE_UP,
                on_hang=f"{call} did not return within {GIVE_UP:g} s.",
            )
        except ClaimFailed as failed:
            if not str(failed).startswith(f"{call} did not return"):
                raise
            raise hang(learner, call, [t for t in threading.enumerate() if t not in before], len(pools)) from None


def hang(learner, call: str, threads: list[threading.Thread], pools: int) -> ClaimFailed:
    """The failure for a call that did not return: retried pools, a CPython hang, or the learner's own wait."""
    runner = next((t for t in threads if t.name == "learner-call"), None)
    evidence = [*deadline.stacks(learner.submission, threads)[:6], f"process pools the call started: {pools}"]
    if pools > 1:
        return failure(
            f"{call} did not return within {GIVE_UP:g} s: it started {pools} process pools one after another, "
            "retrying on a fresh pool each time one broke.",
            called=call,
            contract="a worker process that dies fails promptly with BrokenProcessPool, never a hang",
            evidence=evidence,
            idea="let BrokenProcessPool reach the caller: don't catch it and retry (the same item breaks every pool)",
        )
    if runner is not None and _inside_process_py(learner, runner):
        return failure(
            f"{call} did not return within {GIVE_UP:g} s{STDLIB_HANG}.",
            called=call,
            evidence=evidence,
            idea="check pickle.dumps(func) before the pool starts; avoid shutdown(cancel_futures=True)",
        )
    return failure(
        f"{call} did not return within {GIVE_UP:g} s: parallel_map waits for a result that never comes.",
        called=call,
        contract="parallel_map returns or raises; a worker process that dies fails promptly with BrokenProcessPool",
        evidence=evidence,
        idea="use concurrent.futures.ProcessPoolExecutor and let BrokenProcessPool reach the caller "
        "(multiprocessing.Pool loses a dead worker's task and waits for ever)",
    )


def _inside_process_py(learner, thread: threading.Thread) -> bool:
    """Whether the thread waits inside concurrent/futures/process.py (a pool's shutdown, say): the innermost
    concurrent.futures frame above the learner's is there, not in _base.py (waiting for a result)."""
    frame = sys._current_frames().get(thread.ident or -1)
    futures = os.path.join("concurrent", "futures", "")
    while frame is not None and not learner.submission.owns(frame.f_code.co_filename):
        if futures in frame.f_code.co_filename:
            return frame.f_code.co_filename.endswith("process.py")
        frame = frame.f_back
    return False


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
    call = called("sleep_then_return", "a generator of items 0-5, the first ones slowest", 3, 1)
    with no_children_left():  # a generator: items is any Iterable, and one can be read only once
        value = learner.result(run(learner, work.sleep_then_return, (item for item in items), 3, 1, call))
    if isinstance(value, list) and len(value) < len(items):
        raise failure(
            f"{call} returned {short_repr(value)}; expected [0, 1, 2, 3, 4, 5]: items was a generator, which can be "
            "read only once, and parallel_map lost items (did it go over items twice, to count them say?).",
            called=call,
            contract="items: Iterable[T]; results in input order",
            idea="read items once: items = list(items) at the start, then use that list",
        )
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
    for chunksize in (1, None):  # the default call must be parallel too
        with tempfile.TemporaryDirectory() as folder, no_children_left():
            items = [(folder, 0, MEET_WAIT), (folder, 1, MEET_WAIT)]
            call = called("meet", "2 items that wait for each other", 2, chunksize)
            value = learner.result(run(learner, work.meet, items, 2, chunksize, call))
        pids = [pid for pid, _ in value]
        met = all(ok for _, ok in value)
        if os.getpid() in pids or len(set(pids)) < 2 or not met:
            why = (
                f"in the grader's own process (pid {os.getpid()}), not in worker processes: a loop in the caller or "
                "threads take turns at Python code under the GIL"
                if os.getpid() in pids
                else "in one worker process, one after the other"
                + (": with chunksize=None both went in one chunk" if chunksize is None else "")
                if len(set(pids)) < 2
                else "never at the same moment"
            )
            raise failure(
                f"The two items ran {why}. CPU-bound work runs in parallel only in separate worker processes.",
                called=call,
                contract="with 2 or more CPUs, two items run at the same moment in two worker processes",
                evidence=[f"process ids: {pids} (the grader is {os.getpid()}); met: {met}"],
                idea=CHUNK_IDEA if chunksize is None and len(set(pids)) == 1 else POOL_IDEA,
            )


@pytest.mark.task(1)
def test_workers_sets_the_number_of_worker_processes(learner):
    for workers in (1, 3):  # 3: more than this 2-CPU machine has (a pool capped at the CPU count has 2)
        call = called("pid_of", "range(6)", workers, 1)
        with no_children_left():
            outcome = run(learner, work.pid_of, list(range(6)), workers, 1, call)
            pools = list(POOLS)
        pids = learner.result(outcome)
        wrong = [n for n in pools if n != workers]
        if len(set(pids)) > workers or wrong:
            seen = (
                f"made a pool of {wrong[0]} worker processes"
                if wrong
                else f"ran its items in {len(set(pids))} processes"
            )
            fewer = bool(wrong) and wrong[0] < workers
            raise failure(
                f"{call} {seen}: with workers={workers} the pool has "
                + ("one worker process" if workers == 1 else f"{workers} worker processes")
                + (f", even on a machine with fewer CPUs (os.cpu_count() is {os.cpu_count()})" if fewer else "")
                + ".",
                called=call,
                contract="uses ProcessPoolExecutor(workers)",
                evidence=[f"process ids: {sorted(set(pids))}; ProcessPoolExecutor max_workers: {pools}"],
                idea="ProcessPoolExecutor(workers), as given: not capped at os.cpu_count() (without it, the pool has "
                "os.cpu_count() workers)",
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


@contextmanager
def counting_messages() -> Iterator[list[int]]:
    """Count ProcessPoolExecutor.submit calls inside the block (``map`` sends one per chunk)."""
    messages = [0]
    original = concurrent.futures.ProcessPoolExecutor.submit

    def counting_submit(self, fn, /, *args, **kwargs):
        messages[0] += 1
        return original(self, fn, *args, **kwargs)

    concurrent.futures.ProcessPoolExecutor.submit = counting_submit  # type: ignore[method-assign]
    try:
        yield messages
    finally:
        concurrent.futures.ProcessPoolExecutor.submit = original  # type: ignore[method-assign]


@pytest.mark.task(2)
def test_a_given_chunksize_is_used_as_is(learner):
    items = list(range(40))
    for chunksize in (3, 7):  # a chunk size computed from 40 items and 2 workers cannot match both
        expected = math.ceil(len(items) / chunksize)
        call = called("plus_one", "40 items", 2, chunksize)
        with counting_messages() as messages, no_children_left():
            value = learner.result(run(learner, work.plus_one, items, 2, chunksize, call))
        if value != [x + 1 for x in items]:
            raise failure(f"{call} returned wrong results (first ones: {short_repr((value or [])[:5])}).")
        if not expected <= messages[0] <= expected + 1:  # one more: a warm-up job, say
            raise failure(
                f"{call} sent {messages[0]} message(s) to a ProcessPoolExecutor: a given chunksize is used as is, so "
                f"40 items in chunks of {chunksize} make {expected} messages."
                + (" No work went through ProcessPoolExecutor at all." if not messages[0] else ""),
                called=call,
                contract="uses ProcessPoolExecutor(workers); a given chunksize is used as is",
                evidence=[
                    f"ProcessPoolExecutor.submit calls (map sends one per chunk): {messages[0]}; expected {expected}"
                ],
                idea="compute a chunk size only when chunksize is None; pass the given one to pool.map unchanged",
            )


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


twice = lambda x: 2 * x  # noqa: E731 - at module level, pickle fails with PicklingError (a nested one: AttributeError)


class HoldsALock:
    """A callable that cannot be pickled: it holds a threading.Lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __call__(self, x: int) -> int:
        return 2 * x


@pytest.mark.task(3)
def test_an_unpicklable_function_is_a_type_error_before_any_worker_starts(learner):
    def local_double(x: int) -> int:
        return 2 * x

    cases: list[tuple[Callable[[int], int], str, str, str | None]] = [
        (local_double, "local_double", ", where local_double is defined inside another function", "local_double"),
        (twice, "twice", ", where twice = lambda x: 2 * x", "lambda"),
        (functools.partial(twice), "functools.partial(twice)", ", where twice = lambda x: 2 * x", None),
        (HoldsALock(), "holds_a_lock", ", where holds_a_lock is an object holding a threading.Lock", None),
    ]
    for func, shown, where, name in cases:
        call = called(shown, "[1, 2, 3]", 2) + where
        with no_children_left() as watch:
            outcome = run(learner, func, [1, 2, 3], 2, None, call)
        started = len(watch.spawned)
        named = name is None or name in str(outcome.error)
        if not isinstance(outcome.error, TypeError) or not named or started:
            got = (
                f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
                if outcome.raised
                else f"returned {short_repr(outcome.value)}"
            )
            raise failure(
                f"{call} {got}"
                + (f" after starting {started} worker process(es)" if started else "")
                + (f", without naming {name}" if isinstance(outcome.error, TypeError) and not named else "")
                + ": a function that cannot be pickled cannot reach a worker. Check first (pickle.dumps(func), "
                "which fails for lambdas, nested functions and objects holding a lock alike) and raise TypeError "
                "naming the function, before any worker starts.",
                called=call,
                contract="before any worker starts, an unpicklable func raises TypeError naming the function",
                idea="try: pickle.dumps(func) except Exception: raise TypeError(f'cannot pickle "
                '{getattr(func, "__qualname__", func)!r}\')',
            )


@pytest.mark.task(3)
def test_a_dying_worker_fails_fast_with_broken_process_pool(learner):
    call = called("die_on_three", "range(8)", 2, 1) + ", where item 3 ends its worker process with os._exit(1)"
    with no_children_left():
        pids = learner.result(run(learner, work.pid_of, [0, 1], 2, 1, called("pid_of", "[0, 1]", 2, 1)))
    if os.getpid() in pids:
        raise failure(
            f"func ran in the grader's own process (pid {os.getpid()}), not in a worker process, so a worker that "
            "dies would take the whole program with it: run func in worker processes.",
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
