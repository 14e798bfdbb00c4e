"""Kata 62 · Mixing threads and coroutines: the claims.

Every scenario records which thread ran what: the blocking function, the coroutine, the iterable's
``__next__``.  A 5-party rendezvous proves five blocking calls at once; loops that run in a thread
of their own play "a loop running elsewhere"; a loop that records callbacks scheduled from the
wrong thread proves (or refutes) a thread-safe handoff on every run; a counting iterable shows how
far the stream reads ahead and whether its thread stops when the consumer does.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graders.harness import deadline, leaks
from graders.harness.aio import BlockingSpy, Heartbeat, LoopThread, RecordingLoop, busy
from graders.harness.inflight import Rendezvous
from graders.harness.messages import failure, short_repr

GIVE_UP = 5.0
"""Seconds after which a scenario of a few calls is a hang."""
MARGIN = 1.0
"""Seconds past ``timeout`` that a TimeoutError may take (a loaded machine)."""
AHEAD = 8
NONE_AT = 5
"""The iterables the grader streams yield None at this index: None is an ordinary item."""
GATE_AT = 3
"""When the consumer breaks off after 3 items, a thread that reads ahead is held in this pull (index 3)."""
GATE_OPENS = 0.1
"""Seconds after aclose() began that the loop opens that pull again (a loop blocked in aclose() cannot)."""
GATE_GIVES_UP = 1.0
"""Seconds after which the held pull goes on by itself (so a thread joined on the loop still ends)."""
STILL_RUNNING = 1.0
"""Seconds after aclose() that a pulling thread must have stopped running code, while the loop runs on."""
SEEN = 0.05
"""Heartbeat lateness worth showing as evidence."""
BLOCKING_IDEA = "await asyncio.to_thread(func, *args), under asyncio.timeout(timeout)"
BRIDGE_IDEA = "asyncio.run_coroutine_threadsafe(coro, loop).result(timeout); future.cancel() on timeout"
STREAM_IDEA = (
    "a worker thread pulls items and hands each over with loop.call_soon_threadsafe (or "
    "run_coroutine_threadsafe(queue.put(item), loop)), at most 8 ahead; a stop flag for aclose()"
)
WAIT_IDEA = (
    "await the handover instead: an asyncio.Queue filled with loop.call_soon_threadsafe (or await "
    "asyncio.to_thread(q.get)); never q.get(), thread.join() or future.result() in the generator"
)


def in_loop(learner, scenario: Callable[[], Any], called: str, *, deadline_s: float = GIVE_UP) -> Any:
    """Run the coroutine function ``scenario`` on a fresh :class:`RecordingLoop`; its result (or its failure)."""

    def run() -> Any:
        with asyncio.Runner(loop_factory=RecordingLoop) as runner:
            return runner.run(scenario())

    return learner.result(learner.run(run, called=called, deadline=deadline_s))


def got(outcome_error: BaseException | None, value: Any) -> str:
    if outcome_error is not None:
        return f"raised {type(outcome_error).__name__}: {short_repr(str(outcome_error))}"
    return f"returned {short_repr(value)}"


def lateness(heartbeat: Heartbeat) -> list[str]:
    """The heartbeat as evidence, when it saw the loop stall at all."""
    return [heartbeat.describe()] if heartbeat.worst >= SEEN else []


def blocking_waits(spy: BlockingSpy) -> list[str]:
    """What the learner's code waited for on the loop's thread: sleeps, and waits that could block (not a
    brief lock, not a poll with block=False or timeout=0)."""
    return [c for c in spy.calls if c.startswith("time.sleep")] + [str(w) for w in spy.waits if w.blocks]


def tally(lines: list[str]) -> list[str]:
    """Each distinct line once, with how many times it was seen."""
    seen: dict[str, int] = {}
    for line in lines:
        seen[line] = seen.get(line, 0) + 1
    return [line if n == 1 else f"{line} ({n} times)" for line, n in seen.items()]


# ---------------------------------------------------------------- task 1 · blocking code from coroutines


@pytest.mark.task(1)
def test_run_blocking_returns_the_value_from_a_worker_thread(learner):
    ran_on: list[int] = []

    def add(a: int, b: int) -> int:
        ran_on.append(threading.get_ident())
        return a + b

    async def scenario() -> tuple[int, int]:
        return await learner.run_blocking(add, 2, 3), threading.get_ident()

    value, loop_thread = in_loop(learner, scenario, "await run_blocking(add, 2, 3)")
    if value != 5 or ran_on != [ran_on[0]] or ran_on[0] == loop_thread:
        where = "on the event loop's own thread" if loop_thread in ran_on else f"{len(ran_on)} time(s)"
        raise failure(
            f"await run_blocking(add, 2, 3) returned {short_repr(value)}, and add ran {where}: it runs once, in a "
            "worker thread, while the loop goes on with other coroutines.",
            called="await run_blocking(add, 2, 3)",
            contract="runs func(*args) in a worker thread while the event loop keeps running",
            idea=BLOCKING_IDEA,
        )


@pytest.mark.task(1)
def test_five_blocking_calls_run_at_once(learner):
    gate = Rendezvous(5, timeout=2.0)

    async def scenario() -> list[Any]:
        try:
            return await asyncio.gather(*(learner.run_blocking(gate.wait) for _ in range(5)))
        finally:
            gate.abort()

    in_loop(learner, scenario, "asyncio.gather(*(run_blocking(wait) for _ in range(5)))")
    if not gate.opened:
        raise failure(
            f"Of five run_blocking calls gathered at once, at most {gate.most_waiting} ran at the same time: at "
            "least 5 calls must run at once.",
            called="asyncio.gather(*(run_blocking(wait) for _ in range(5)))",
            contract="at least 5 calls run at the same time",
            idea="asyncio.to_thread uses the loop's default executor (5 threads or more); a 1-thread pool or a lock "
            "runs them in turn",
        )


@pytest.mark.task(1)
def test_run_blocking_times_out_promptly(learner):
    release = threading.Event()
    timeout = 0.2

    async def scenario() -> tuple[BaseException | None, float]:
        start = time.perf_counter()
        try:
            await learner.run_blocking(release.wait, 2.0, timeout=timeout)  # 2 s: ignoring the timeout shows
            return None, time.perf_counter() - start
        except Exception as exc:
            return exc, time.perf_counter() - start
        finally:
            release.set()  # the worker thread may finish later; it must not keep the loop from closing

    call = f"await run_blocking(wait_a_long_time, timeout={timeout:g})"
    error, elapsed = in_loop(learner, scenario, call)
    learner.implemented(error, call)
    if not isinstance(error, TimeoutError) or elapsed > timeout + MARGIN:
        raise failure(
            f"{call} {got(error, None)} after {elapsed:.2f} s: past the timeout it raises TimeoutError promptly "
            "(the thread may finish later).",
            called=call,
            contract="past timeout it raises TimeoutError promptly",
            idea=BLOCKING_IDEA,
        )


# ---------------------------------------------------------------- task 2 · coroutines from blocking code


async def where_am_i(x: int) -> tuple[int, int, asyncio.AbstractEventLoop, str]:
    await asyncio.sleep(0)
    return 2 * x, threading.get_ident(), asyncio.get_running_loop(), threading.current_thread().name


@pytest.mark.task(2)
def test_run_async_without_a_loop_uses_a_fresh_loop_and_closes_it(learner):
    call = "run_async(where_am_i, 21)"
    outcome = learner.run(learner.run_async, where_am_i, 21, called=call, deadline=GIVE_UP)
    value, _, loop, _ = learner.result(outcome)
    if value != 42 or not loop.is_closed():
        raise failure(
            f"{call} returned {value!r}{'' if loop.is_closed() else ', and left its event loop open'}: with "
            "loop=None it runs the coroutine on a fresh event loop and closes that loop afterwards.",
            called=call,
            contract="with loop=None: a fresh event loop, closed afterwards",
            idea="asyncio.run(coro_fn(*args)) does both",
        )


@pytest.mark.task(2)
def test_run_async_runs_the_coroutine_on_the_given_loop(learner):
    with LoopThread() as elsewhere:
        call = "run_async(where_am_i, 21, loop=loop) where loop runs in another thread"
        outcome = learner.run(learner.run_async, where_am_i, 21, loop=elsewhere.loop, called=call, deadline=GIVE_UP)
    answer = outcome.value if isinstance(outcome.value, tuple) and len(outcome.value) == 4 else None
    if outcome.raised or answer is None or answer[0] != 42 or answer[2] is not elsewhere.loop:
        what = got(outcome.error, outcome.value)
        evidence = []
        if answer is not None and answer[2] is not elsewhere.loop:
            ran_in = f"{answer[3]!r}, the caller's own" if answer[3] == "learner-call" else repr(answer[3])
            what = (
                f"returned {answer[0]!r}, but the coroutine ran on another event loop, in thread {ran_in}, not on "
                f"`loop` (which runs in thread {elsewhere.thread.name!r})"
            )
            evidence = [f"where_am_i ran in thread {ran_in}; loop runs in thread {elsewhere.thread.name!r}"]
        elif answer is not None:
            what = f"returned {short_repr(answer[0])} (expected 42)"
        raise failure(
            f"{call} {what}: the coroutine must be handed to that loop thread-safely and run there; "
            "asyncio.run or run_until_complete cannot drive a loop that is already running.",
            called=call,
            contract="with a loop running in another thread, the coroutine is scheduled on it thread-safely",
            evidence=evidence,
            idea=BRIDGE_IDEA,
        )


@pytest.mark.task(2)
def test_run_async_times_out_and_cancels_the_coroutine(learner):
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    timeout = 0.2
    call = f"run_async(forever, loop=loop, timeout={timeout:g}) where loop runs in another thread"
    with LoopThread() as elsewhere:
        outcome = learner.run(
            learner.run_async, forever, loop=elsewhere.loop, timeout=timeout, called=call, deadline=timeout + GIVE_UP
        )
        was_cancelled = cancelled.wait(1.0)
    if not isinstance(outcome.error, TimeoutError) or outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"{call} {got(outcome.error, outcome.value)} after {outcome.elapsed:.2f} s: past the timeout it raises "
            "TimeoutError.",
            called=call,
            contract="past timeout, cancellation is requested and TimeoutError is raised",
            idea=BRIDGE_IDEA,
        )
    if not was_cancelled:
        raise failure(
            f"{call} raised TimeoutError but left the coroutine running on the loop: request its cancellation.",
            called=call,
            contract="past timeout its cancellation is requested",
            idea="future = run_coroutine_threadsafe(...); on TimeoutError: future.cancel()",
        )


@pytest.mark.task(2)
def test_run_async_on_the_loops_own_thread_raises_runtime_error(learner):
    seen: list[BaseException | None] = []
    done = threading.Event()
    call = "run_async(where_am_i, 1, loop=loop) from a callback running on loop's own thread"

    def on_the_loop(loop: asyncio.AbstractEventLoop) -> None:
        try:
            learner.run_async(where_am_i, 1, loop=loop, timeout=30.0)
            seen.append(None)
        except BaseException as exc:
            seen.append(exc)
        finally:
            done.set()

    with LoopThread() as elsewhere:
        elsewhere.loop.call_soon_threadsafe(on_the_loop, elsewhere.loop)
        if not done.wait(3.0):
            raise failure(
                f"{call} did not return within 3 s: it waits on the loop's own thread for a coroutine that only "
                "that same thread could run (a deadlock).",
                called=call,
                evidence=deadline.stacks(learner.submission, [elsewhere.thread]),
                idea="compare the running loop of this thread with `loop`; if they are the same, raise RuntimeError",
            )
    learner.implemented(seen[0], call)
    if not isinstance(seen[0], RuntimeError):
        raise failure(
            f"{call} {got(seen[0], None)}; expected RuntimeError at once: waiting there would deadlock.",
            called=call,
            contract="called from the thread that runs loop, it raises RuntimeError at once",
            idea="asyncio.get_running_loop() in a try: if it is `loop`, raise RuntimeError",
        )


# ---------------------------------------------------------------- task 3 · a blocking iterable as an async stream


class Items:
    """A blocking iterable: counts pulls, remembers the pulling thread; endless unless ``count`` is given."""

    def __init__(
        self, count: int | None = None, pause: float = 0.0, fail_at: int | None = None, gate_at: int | None = None
    ) -> None:
        self.count, self.pause, self.fail_at = count, pause, fail_at
        self.gate_at = gate_at
        self.gate = threading.Event()
        """The pull of index ``gate_at`` waits for it (at most GATE_GIVES_UP seconds)."""
        self.holding = threading.Event()
        """Set when a pull has reached the gate."""
        self.pulled = 0
        self.threads: set[threading.Thread] = set()
        self.stopped = False
        self.error = ValueError(f"item {fail_at} is broken")

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        self.threads.add(threading.current_thread())
        if self.stopped or (self.count is not None and self.pulled >= self.count):
            raise StopIteration
        if self.pulled == self.gate_at:
            self.holding.set()
            self.gate.wait(GATE_GIVES_UP)
        if self.pause:
            time.sleep(self.pause)
        if self.fail_at is not None and self.pulled == self.fail_at:
            raise self.error
        self.pulled += 1
        return None if self.pulled - 1 == NONE_AT else self.pulled - 1


async def consume(learner, items: Items, take: int | None = None) -> list[int | None]:
    """The items received; with ``take``, break off after that many, once the thread has had time to run ahead."""
    received: list[int | None] = []
    agen = learner.stream(items)
    try:
        async for item in agen:
            received.append(item)
            if take is not None and len(received) >= take:
                await asyncio.sleep(0.2)  # the thread fills its window and waits for room
                break
    finally:
        await agen.aclose()
    return received


@pytest.mark.task(3)
def test_stream_yields_every_item_in_order(learner):
    items = Items(20)

    async def scenario() -> list[int]:
        return await consume(learner, items)

    expected = [None if i == NONE_AT else i for i in range(20)]
    received = in_loop(learner, scenario, "[item async for item in stream(items)]")
    if received != expected:
        raise failure(
            f"async for over stream(20 items) gave {short_repr(received)}; expected every item, in order "
            f"({short_repr(expected)}: None is an ordinary item).",
            called="[item async for item in stream(items)]",
            idea=STREAM_IDEA,
        )


@pytest.mark.task(3)
def test_stream_pulls_in_a_worker_thread(learner):
    items = Items(10, pause=0.02)
    heartbeat = Heartbeat(0.005)
    waits: list[str] = []

    async def scenario() -> int:
        heartbeat.start()
        await asyncio.sleep(0.01)  # the heartbeat is ticking when a stall begins
        with BlockingSpy(learner.submission, through_stdlib=True) as spy:
            await consume(learner, items)
        waits.extend(blocking_waits(spy))
        await asyncio.sleep(0.02)
        await heartbeat.stop()
        return threading.get_ident()

    call = "async for item in stream(items) where each __next__ blocks 20 ms"
    loop_thread = in_loop(learner, scenario, "async for over stream(items) whose __next__ blocks 20 ms")
    on_loop = sum(1 for t in items.threads if t.ident == loop_thread)
    if on_loop:
        raise failure(
            "stream called the iterable's __next__ on the event loop's own thread: each blocking pull stops every "
            "coroutine until it returns.",
            called=call,
            contract="stream pulls items in a worker thread without blocking the loop",
            evidence=lateness(heartbeat),
            idea=STREAM_IDEA,
        )
    if waits:
        raise failure(
            "stream waited on the event loop's own thread (for its worker thread, a queue or a future): a blocking "
            "wait in the async generator stops every coroutine while it waits.",
            called=call,
            contract="stream pulls items in a worker thread and yields them without blocking the loop",
            evidence=[*tally(waits)[:3], *lateness(heartbeat)],
            idea=WAIT_IDEA,
        )


@pytest.mark.task(3)
def test_stream_reads_at_most_eight_items_ahead(learner):
    items = Items(2000)
    seen: list[int] = []

    async def scenario() -> int:
        agen = learner.stream(items)
        try:
            for _ in range(2):
                await asyncio.wait_for(agen.__anext__(), GIVE_UP)
            await asyncio.sleep(0.3)  # the consumer pauses: the thread may run at most 8 ahead
            seen.append(items.pulled)
        finally:
            items.stopped = True
            await agen.aclose()
        return seen[0]

    pulled = in_loop(learner, scenario, "stream(2000 items): take 2, then pause")
    if pulled > 2 + AHEAD:
        assert items.count is not None
        why = (
            "it read the whole iterable before the consumer asked"
            if pulled >= items.count
            else "one or two too many: count the item in the thread's hand and the one being handed over, not only "
            "those waiting in the queue"
            if pulled <= 2 + AHEAD + 2
            else "its read-ahead is not held to 8"
        )
        raise failure(
            f"The consumer had received 2 items and paused; by then stream had pulled {pulled}: it never pulls more "
            f"than {AHEAD} items beyond those the consumer has received ({why}).",
            called="agen = stream(items); 2 × await anext(agen); then a pause",
            contract=f"never pulls more than {AHEAD} items beyond those received",
            idea=STREAM_IDEA,
        )


@pytest.mark.task(3)
def test_an_exception_from_the_iterable_is_raised_in_the_async_for(learner):
    items = Items(10, fail_at=3)

    async def scenario() -> tuple[list[int], BaseException | None]:
        received: list[int] = []
        try:
            async for item in learner.stream(items):
                received.append(item)
        except Exception as exc:
            return received, exc
        return received, None

    received, error = in_loop(learner, scenario, "async for over stream(items) that raise at item 3")
    learner.implemented(error, "async for item in stream(items)")
    if error is not items.error or received != [0, 1, 2]:
        raise failure(
            f"The iterable raised ValueError after 3 items; the async for received {received} and then "
            f"{got(error, None) if error else 'ended normally'}: raise that exception (the same object) in the "
            "async for.",
            called="async for item in stream(items)",
            contract="an exception from the iterable is raised in the async for",
            idea="hand the exception over like an item, and raise it in the generator",
        )


async def running_threads(pullers: set[threading.Thread], grace: float) -> list[threading.Thread]:
    """Those of ``pullers`` (but the loop's thread) still running code ``grace`` seconds from now, while the loop
    keeps running.  A pool thread idle in its executor is not running code: it no longer pulls."""
    end = time.monotonic() + grace
    while True:
        left = [t for t in pullers if t is not threading.current_thread() and busy(t)]
        if not left or time.monotonic() >= end:
            return left
        await asyncio.sleep(0.01)


async def break_and_close(learner, items: Items, spy: BlockingSpy, pause: float) -> list[str]:
    """Take 3 items, pause (for a gated ``items``: until a pull is held at the gate, or ``pause`` seconds for a
    stream that does not read ahead), break and aclose(); the blocking waits seen during aclose()."""
    received = 0
    agen = learner.stream(items)
    try:
        async for _ in agen:
            received += 1
            if received >= 3:
                end = time.monotonic() + pause
                while time.monotonic() < end and not items.holding.is_set():
                    await asyncio.sleep(0.01)  # the thread reads ahead: it fills its window, or is held in a pull
                break
    finally:
        before = len(blocking_waits(spy))
        asyncio.get_running_loop().call_later(GATE_OPENS, items.gate.set)  # runs once the loop is free again
        await agen.aclose()
    return blocking_waits(spy)[before:]


@pytest.mark.task(3)
def test_closing_the_stream_early_stops_the_pulling_thread(learner):
    held = Items(None, pause=0.005, gate_at=GATE_AT)  # closed while a thread that reads ahead is in a pull
    items = Items(None, pause=0.005)  # closed while a thread that reads ahead waits for room in its window
    heartbeat = Heartbeat(0.005)
    counts: list[int] = []
    held_counts: list[int] = []
    waits: list[str] = []
    on_close: list[str] = []
    running: list[str] = []
    """Where the pulling threads still running after aclose() were, seen while the loop still ran."""

    async def scenario() -> None:
        heartbeat.start()
        await asyncio.sleep(0.01)
        with BlockingSpy(learner.submission, through_stdlib=True) as spy:
            on_close.extend(await break_and_close(learner, held, spy, 0.2))
            held_counts.append(held.pulled)
            on_close.extend(await break_and_close(learner, items, spy, 0.2))
        waits.extend(blocking_waits(spy))
        counts.append(items.pulled)
        await asyncio.sleep(0.3)
        counts.append(items.pulled)
        held_counts.append(held.pulled)  # its held pull was let go GATE_OPENS after its aclose(), 0.4 s ago at least
        pulling = await running_threads(items.threads | held.threads, STILL_RUNNING)
        running.extend(tally(deadline.stacks(learner.submission, pulling)) if pulling else [])
        await heartbeat.stop()

    call = "async for item in stream(endless): break after 3; await agen.aclose()"
    try:
        in_loop(learner, scenario, "async for over an endless stream: break after 3 items, then aclose()")
        pullers = [t for t in items.threads | held.threads if t is not threading.current_thread()]
        left = leaks.threads_left(pullers, grace=1.0)
    finally:
        for each in (held, items):
            each.stopped = True
            each.gate.set()
    if on_close:
        raise failure(
            "Closing the stream (aclose() after a break) waited on the event loop's own thread for the pulling "
            "thread: the whole loop stops until the thread's current pull ends, and a pull may block for ever.",
            called=call,
            contract="stream yields without blocking the loop; after aclose() the pulling thread stops and exits",
            evidence=[*tally(on_close)[:3], *lateness(heartbeat)],
            idea="in the finally, set the stop flag, wake the thread and return; to wait for it, await it "
            "(await asyncio.to_thread(thread.join)), never thread.join() or executor.shutdown(wait=True)",
        )
    if waits:
        raise failure(
            "stream waited on the event loop's own thread (for its worker thread, a queue or a future): a blocking "
            "wait in the async generator stops every coroutine while it waits.",
            called=call,
            contract="stream pulls items in a worker thread and yields them without blocking the loop",
            evidence=[*tally(waits)[:3], *lateness(heartbeat)],
            idea=WAIT_IDEA,
        )
    if counts[1] - counts[0] > 1 or running or left:
        still = (
            f" and was still running {STILL_RUNNING:g} s later, while the loop ran on"
            if running
            else " and was still running after the loop closed"
            if left
            else ""
        )
        raise failure(
            f"After the consumer broke off and closed the stream, the pulling thread read {counts[1] - counts[0]} "
            f"more items{still}: it stops within one item and exits.",
            called=call,
            contract="after aclose(), the pulling thread stops within one item and exits",
            evidence=running or [leaks.describe(t) for t in left],
            idea="in the generator's finally (run by aclose), set a stop flag the thread checks before each pull",
        )
    if held_counts[1] - held_counts[0] > 1:
        raise failure(
            f"The consumer broke off and closed the stream while the pulling thread was inside a pull (item "
            f"{held_counts[0]}); once that pull returned, the thread read {held_counts[1] - held_counts[0] - 1} more "
            "items: it stops within one item, whatever room it still has in its read-ahead window.",
            called="async for item in stream(endless): break after 3 while a pull is in progress; await agen.aclose()",
            contract="after aclose(), the pulling thread stops within one item and exits",
            evidence=[f"items pulled when aclose() returned: {held_counts[0]}; 0.5 s later: {held_counts[1]}"],
            idea="check the stop flag before every pull, not only when the thread waits for room in the window",
        )


@pytest.mark.task(3)
def test_items_reach_the_loop_thread_safely(learner):
    items = Items(20, pause=0.01)
    foreign: list[str] = []

    async def scenario() -> list[int]:
        received = await consume(learner, items)
        loop = asyncio.get_running_loop()
        foreign.extend(getattr(loop, "foreign", []))
        return received

    in_loop(learner, scenario, "async for over stream(20 items)")
    if foreign:
        raise failure(
            "The worker thread handed items to the loop with a call that is not thread-safe: it scheduled work on "
            "the loop directly from another thread (asyncio.Queue.put_nowait, Future.set_result and friends are "
            "only safe on the loop's own thread).",
            called="async for item in stream(items)",
            contract="items reach the loop through call_soon_threadsafe (or an equivalent thread-safe call)",
            evidence=foreign[:3],
            idea="loop.call_soon_threadsafe(queue.put_nowait, item) or run_coroutine_threadsafe(queue.put(item), loop)",
        )
