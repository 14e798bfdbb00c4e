"""Kata 55 · A pipeline of threads and queues: the claims.

The items come from a :class:`Source` the grader controls: it counts what the producer has read,
can run forever, block, or raise.  Stages are the grader's functions: a rendezvous that needs every
stage inside a call at once proves one thread per stage; a last stage that stalls shows how far the
producer reads ahead; quiet windows count wake-ups to tell blocking from polling.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from graders.harness import leaks
from graders.harness.idle import WakeCounter, expect_idle
from graders.harness.inflight import Rendezvous
from graders.harness.messages import failure, short_repr

GIVE_UP = 10.0
"""Seconds after which a pipeline of a few hundred items is a hang."""
SETTLED = 0.3
"""Seconds without a new read after which the producer is taken to be blocked."""
QUIET = 0.4
"""The quiet window over which idle threads' wake-ups are counted."""
RUNAWAY = 1_000
"""Reads of an endless input after a stage raised at which the grader ends it.  A correct producer reads only the
few items already on their way (the queues hold ``maxsize`` each).  Reaching the mark must take a producer that
never stops far less than the claim's deadline: 50 000, the old mark, once took it over 10 s at a load of 18 on
2 cores, and the mistake was reported as a hang."""
EAGER = 10_000
"""Reads of an endless input before the first stage got an item at which the grader pauses the reading: a lazy
producer reads a couple of items before the first queue is full (one with unbounded queues may read this many before
the stage threads run: they get an item while the reading waits)."""
PAUSE = 1.0
"""Seconds the reading waits at :data:`EAGER` for the first stage to get an item; if none does, the items are being
read up front, and the grader ends the input."""
HOLD = 1.0
"""Seconds the grader keeps the producer inside ``next(items)`` while a stage raises: a pipeline that joins its threads
raises after it; one that raises at once does so while the producer is provably still reading."""
PIPE_IDEA = "one thread per stage, queue.Queue(maxsize) between them, a sentinel object() to end the stream"
STOP_IDEA = (
    "on an error, tell everyone to stop (a threading.Event), keep draining so no put() stays blocked, "
    "join every thread, then raise"
)


class FirstItem:
    """Whether the first stage has got an item yet; makes a reader far ahead of it wait, and ends an eager read."""

    def __init__(self) -> None:
        self.taken = threading.Event()
        self.eager = False
        """Whether the items were being read up front: no stage got one while the reading waited."""

    def pause(self, index: int, source: Source) -> None:
        """In ``on_read``: at :data:`EAGER` reads with no item taken yet, wait for one; if none comes, end the input."""
        if index == EAGER and not self.taken.is_set() and not self.taken.wait(PAUSE):
            self.eager = True
            source.stop()


class Source:
    """Items for the pipeline: counts reads; endless unless ``items`` is given; can be stopped."""

    def __init__(self, items: Iterable[Any] | None = None, on_read: Callable[[int], None] | None = None) -> None:
        self._items = iter(items) if items is not None else itertools.count()
        self.on_read = on_read
        """Called with the index about to be read, in the reading thread (block, raise, measure)."""
        self.read = 0
        self.readers: set[str] = set()
        self._stopped = threading.Event()

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        self.readers.add(threading.current_thread().name)
        if self._stopped.is_set():
            raise StopIteration
        if self.on_read is not None:
            self.on_read(self.read)
        value = next(self._items)
        self.read += 1
        return value

    def stop(self) -> None:
        """End the stream at the next read."""
        self._stopped.set()


def called(what: str, stages: str, maxsize: int) -> str:
    return f"run_pipeline({what}, [{stages}], maxsize={maxsize})"


def run(learner, items: Iterable[Any], stages: list[Callable[[Any], Any]], maxsize: int, call: str, on_hang=None):
    return learner.run(
        learner.run_pipeline,
        items,
        stages,
        maxsize=maxsize,
        called=call,
        deadline=GIVE_UP,
        on_hang=on_hang
        or f"{call} did not return within {GIVE_UP:g} s: a thread is still blocked on a queue "
        "(a sentinel that never came, or a put() into a full queue nobody drains).",
    )


def check_threads_finished(outcome, when: str) -> None:
    leaks.expect_finished(outcome, when, function="run_pipeline", idea="join every thread; " + STOP_IDEA)


class Boom(Exception):
    """The grader's failure of one stage."""


def fail_on(index: int, error: BaseException) -> Callable[[Any], Any]:
    def stage(item: Any) -> Any:
        if item == index:
            raise error
        return item

    stage.__name__ = f"fails_on_{index}"
    return stage


def identity(item: Any) -> Any:
    return item


# ---------------------------------------------------------------- task 1 · a pipeline of stages


@pytest.mark.task(1)
def test_no_stages_returns_the_items(learner):
    call = called("iter([1, 2, 3])", "", 1)
    value = learner.result(run(learner, iter([1, 2, 3]), [], 1, call))
    if value != [1, 2, 3]:
        raise failure(
            f"{call} returned {short_repr(value)}; with no stages it returns list(items): [1, 2, 3].",
            contract="with no stages it returns list(items)",
        )


@pytest.mark.task(1)
def test_items_pass_through_every_stage_in_order(learner):
    def plus_one(x: int) -> int:
        return x + 1

    def double(x: int) -> int:
        return x * 2

    call = called("range(200)", "plus_one, double, str", 2)
    outcome = run(learner, Source(range(200)), [plus_one, double, str], 2, call)
    value = learner.result(outcome)
    expected = [str((i + 1) * 2) for i in range(200)]
    if value != expected:
        first = next((i for i, (a, b) in enumerate(zip(value or [], expected, strict=False)) if a != b), None)
        raise failure(
            f"{call} returned {len(value or [])} outputs"
            + (f"; output {first} is {value[first]!r}, expected {expected[first]!r}" if first is not None else "")
            + ": every item passes through every stage, and the outputs come back in input order.",
            called=call,
            contract="returns the last stage's outputs in input order",
            evidence=[f"first outputs: {short_repr((value or [])[:8])}", f"expected:      {short_repr(expected[:8])}"],
            idea=PIPE_IDEA,
        )
    check_threads_finished(outcome, "returned")


@pytest.mark.task(1)
def test_none_is_an_ordinary_item(learner):
    items = [1, None, 2, None]
    call = called("[1, None, 2, None]", "identity, identity", 1)
    hang = (
        f"{call} did not return within {GIVE_UP:g} s: with None items in the input, the pipeline hung. None "
        "probably ended the stream early (None used as the sentinel, e.g. iter(q.get, None)), and a thread was "
        "left blocked on a queue. None is an ordinary item: end the stream with SENTINEL = object(), compared "
        "with `is`."
    )
    value = learner.result(run(learner, iter(items), [identity, identity], 1, call, on_hang=hang))
    if value != items:
        raise failure(
            f"{call} returned {short_repr(value)}: None is an ordinary item, not the end of the stream.",
            called=call,
            contract="None is an ordinary item",
            idea="end the stream with a sentinel no one else has: SENTINEL = object(), compared with `is`",
        )


@pytest.mark.task(1)
def test_every_stage_runs_in_its_own_thread(learner):
    # Stage k waits at the gate on item 2 - k: it opens only when all three stages are inside a call.
    gate = Rendezvous(3, timeout=2.0)
    inside: list[str] = []

    def meets_on(index: int) -> Callable[[int], int]:
        def stage(item: int) -> int:
            if item == index:
                inside.append(threading.current_thread().name)
                gate.wait()
            return item

        stage.__name__ = f"stage_meeting_on_{index}"
        return stage

    call = called("range(5)", "3 stages", 1)
    outcome = run(learner, Source(range(5)), [meets_on(2), meets_on(1), meets_on(0)], 1, call)
    gate.abort()
    if not gate.opened:
        raise failure(
            f"The three stages were never inside a call at the same time (at most {gate.most_waiting} were): "
            "each stage runs in its own thread, so while the last stage handles item 0 the first is already "
            "on item 2.",
            called=call,
            contract="each stage runs in its own thread",
            evidence=[f"threads that ran the stages: {sorted(set(inside))}"],
            idea=PIPE_IDEA,
        )
    learner.result(outcome)


# ---------------------------------------------------------------- task 2 · backpressure


@pytest.mark.task(2)
def test_the_producer_stops_reading_when_the_last_stage_stalls(learner):
    # The last stage holds its first item until the producer has stopped reading (or run past the bound).
    stages, maxsize = 2, 1
    bound = (stages + 1) * (maxsize + 1)
    first = FirstItem()
    source = Source(on_read=lambda index: first.pause(index, source))
    reads: list[int] = []

    def identity(item: int) -> int:
        first.taken.set()
        return item

    def stall(item: int) -> int:
        if not reads:
            last_change, seen = time.monotonic(), source.read
            while time.monotonic() - last_change < SETTLED and source.read <= bound + 1:
                time.sleep(0.01)
                if source.read != seen:
                    last_change, seen = time.monotonic(), source.read
            reads.append(source.read)
            source.stop()
        return item

    call = called("an endless iterable", "identity, stall", maxsize)
    try:
        learner.result(run(learner, source, [identity, stall], maxsize, call))
    finally:
        source.stop()
    if first.eager:
        raise failure(
            f"run_pipeline read {EAGER} items of an endless input, and no stage got one even while the reading "
            f"waited {PAUSE:g} s (the grader then ended the input): it reads the items up front, e.g. list(items), "
            "instead of lazily, one at a time, as the first queue has room.",
            called=call,
            contract="items is read lazily by a producer thread",
            evidence=[f"the items were read by: {', '.join(map(repr, sorted(source.readers)))}"],
            idea="a producer thread: for item in items: q.put(item) — put() blocks while the queue is full",
        )
    ahead = reads[0] - 1 if reads else 0
    if ahead > bound:
        raise failure(
            f"The last stage stalled on its first item, and the producer still read {reads[0]} items ({ahead} "
            f"ahead): with {stages} stages and maxsize={maxsize}, it should stop at most "
            f"({stages} + 1) × ({maxsize} + 1) = {bound} ahead (every queue full, one item in each thread's hands).",
            called=call,
            contract="backpressure: when the last stage stalls, the producer stops reading items",
            idea="queue.Queue(maxsize) blocks put() when full; an unbounded Queue() lets the producer run away",
        )


@pytest.mark.task(2)
def test_idle_threads_block_instead_of_polling(learner):
    # Two items go through; then the source blocks: every thread of the pipeline has nothing to do.
    window = []

    def on_read(index: int) -> None:
        if index == 2:
            time.sleep(0.05)  # the two items reach the end
            window.extend(counter.quiet_window(QUIET))

    call = called("an iterable that pauses after 2 items", "identity, identity", 1)
    with WakeCounter(learner.submission) as counter:
        outcome = run(learner, Source(range(4), on_read=on_read), [identity, identity], 1, call)
    learner.result(outcome)
    expect_idle(
        learner.submission,
        window,
        QUIET,
        situation="the items paused and every stage had nothing to do",
        called=call,
        idea="block in queue.get(); never loop on get_nowait() or empty()",
    )


# ---------------------------------------------------------------- task 3 · stopping on an error


class FailingFirstStage:
    """An endless source and a first stage that raises on item 3; the source ends if the producer runs away after it.

    With ``hold``, the read of item 4 (the one after item 3) takes :data:`HOLD` seconds, and the stage raises only
    once the producer is inside it: when the exception is raised, the producer thread is provably still running.
    """

    def __init__(self, error: BaseException, *, hold: bool = False) -> None:
        self.raised_at: int | None = None
        """How many items had been read when the stage raised."""
        self.first = FirstItem()
        self.source = Source(on_read=self._cut)
        self.hold = hold
        self.holding = threading.Event()
        """Set while the producer is held inside the read of item 4."""
        self.release = threading.Event()
        self.reader: str | None = None
        """The name of the thread that was held."""
        stage = fail_on(3, error)

        def fails_on_3(item: Any) -> Any:
            self.first.taken.set()
            if item == 3 and self.raised_at is None:
                if self.hold:
                    self.holding.wait(HOLD)  # the producer put item 3, so it is on its way to reading item 4
                self.raised_at = self.source.read
            return stage(item)

        self.stages = [fails_on_3, identity]

    def _cut(self, index: int) -> None:
        """End the input if the producer runs away after the error, or reads it all up front (another claim's
        mistake: ending the input lets this claim grade what happens on the error)."""
        if self.hold and index == 4 and self.reader is None:
            self.reader = threading.current_thread().name
            self.holding.set()
            try:
                self.release.wait(HOLD)
            finally:
                self.holding.clear()
        self.first.pause(index, self.source)
        if self.raised_at is not None and index - self.raised_at >= RUNAWAY:
            self.source.stop()

    def ran_away(self, outcome, call: str) -> None:
        """Fail the claim if the producer read on and on after the stage raised."""
        if self.raised_at is None or self.source.read - self.raised_at < RUNAWAY:
            return
        more = self.source.read - self.raised_at
        raise failure(
            f"After fails_on_3 raised, the producer read {more} more items of an endless input (the grader then "
            "ended it): once a stage fails, the producer reads no further."
            if outcome.raised
            else f"After fails_on_3 raised, the pipeline carried on: the producer read {more} more items of an "
            f"endless input (the grader then ended it), and run_pipeline returned {short_repr(outcome.value, 40)} "
            "instead of re-raising Boom('item 3 is bad').",
            called=call,
            contract="if a stage raises, everything stops (the producer reads no further) and that exception is "
            "re-raised",
            evidence=[f"items read when the stage raised: {self.raised_at}; in all: {self.source.read}"],
            idea="on an error, set a stop Event that the producer checks before reading each next item; "
            "keep the exception and raise it after joining the threads",
        )


@pytest.mark.task(3)
def test_a_failing_stage_does_not_hang_the_pipeline(learner):
    # The first stage raises while the producer is blocked on a full queue, reading an endless input.
    error = Boom("item 3 is bad")
    scene = FailingFirstStage(error)
    call = called("an endless iterable", "fails_on_3, identity", 1)
    try:
        outcome = run(learner, scene.source, scene.stages, 1, call)
    finally:
        scene.source.stop()
    scene.ran_away(outcome, call)
    if outcome.error is not error:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"The first stage raised Boom('item 3 is bad') and run_pipeline {got}: it should re-raise that "
            "exception, the same object.",
            called=call,
            contract="if a stage raises, everything stops and that exception is re-raised",
            idea=STOP_IDEA,
        )


def expect_reraised(learner, items: Iterable[Any], stages: list, error: BaseException, what: str, call: str):
    outcome = run(learner, items, stages, 1, call)
    if outcome.error is not error:
        got = (
            f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
            if outcome.raised
            else f"returned {short_repr(outcome.value)}"
        )
        raise failure(
            f"{what}, and run_pipeline {got}: re-raise that exception, the same object, after every thread "
            "has stopped (an exception in a thread reaches no one unless you pass it on).",
            called=call,
            contract="that exception is re-raised",
            idea=STOP_IDEA,
        )
    return outcome


@pytest.mark.task(3)
def test_a_stage_exception_is_reraised(learner):
    error = Boom("item 2 is bad")
    call = called("range(10)", "identity, fails_on_2", 1)
    expect_reraised(
        learner, Source(range(10)), [identity, fail_on(2, error)], error, f"The second stage raised {error!r}", call
    )


@pytest.mark.task(3)
def test_an_exception_while_reading_items_is_reraised(learner):
    error = Boom("the input broke off")

    def broken(index: int) -> None:
        if index == 3:
            raise error

    call = called("an iterable that raises after 3 items", "identity", 1)
    expect_reraised(
        learner, Source(range(10), on_read=broken), [identity], error, f"Iterating items raised {error!r}", call
    )


@pytest.mark.task(3)
def test_no_thread_is_left_running(learner):
    call = called("range(50)", "identity, identity", 2)
    outcome = run(learner, Source(range(50)), [identity, identity], 2, call)
    learner.result(outcome)
    check_threads_finished(outcome, "returned")
    # The first stage raises while the producer is inside the read of the next item, which takes HOLD seconds.
    error = Boom("item 3 is bad")
    scene = FailingFirstStage(error, hold=True)
    call = called("an endless iterable", "fails_on_3, identity", 1)
    try:
        outcome = expect_reraised(learner, scene.source, scene.stages, error, f"The first stage raised {error!r}", call)
        still_reading = scene.holding.is_set()
    finally:
        scene.source.stop()
        scene.release.set()
    if still_reading:
        raise failure(
            f"run_pipeline raised {error!r} while the thread reading items ({scene.reader!r}) was still running, "
            f"inside next(items) (the grader made that read take {HOLD:g} s): it raised without waiting for its "
            "threads to finish.",
            called=call,
            contract="every thread it started has finished when it returns or raises",
            evidence=[
                f"the first stage raised while {scene.reader!r} was reading item 4; run_pipeline raised "
                f"{outcome.elapsed:.2f} s after it was called, before that read ended"
            ],
            idea="keep the exception, tell every thread to stop, join them all, and only then raise it",
        )
    check_threads_finished(outcome, "raised")
