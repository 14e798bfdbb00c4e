"""Kata 60 · The crawl on coroutines: the claims.

Each claim runs ``asyncio.run`` on a scenario that awaits the learner's ``crawl`` over a fake async
web: in-loop rendezvous prove how many calls were awaiting at once (and that one more never was),
a page that never returns shows what an error or the deadline does to calls in flight, the tasks
still pending right after ``crawl`` returns are listed, and a heartbeat plus a ``time.sleep`` spy on
the loop's thread prove the loop was never blocked.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from graders.harness.aio import AsyncRendezvous, AsyncSite, BlockingSpy, Heartbeat, describe_task, forever, tasks_left
from graders.harness.messages import failure, short_repr
from graders.harness.site import Graph, chain, expect_fetched_once, expect_reachable, star

GIVE_UP = 5.0
"""Seconds after which a scenario of a few thousand pages is a hang."""
MARGIN = 1.0
"""Seconds that raising may take once the error or the deadline is there (a loaded machine)."""
BLOCKED = 1.0
"""Heartbeat lateness that counts as a blocked loop even without a time.sleep caught (correct code
was measured up to a few hundred ms late on a loaded machine)."""
CRAWL_IDEA = (
    "one task per page under an asyncio.Semaphore(limit) in a TaskGroup, or `limit` worker tasks on an asyncio.Queue"
)
CANCEL_IDEA = (
    "a TaskGroup cancels its other tasks when one raises; catch the ExceptionGroup and raise its exception; "
    "asyncio.timeout(timeout) for the deadline"
)


@dataclass
class Scene:
    """What one crawl did, seen from inside its loop."""

    value: Any = None
    error: BaseException | None = None
    elapsed: float = 0.0
    ended_at: float = 0.0
    left: list[str] = field(default_factory=list)
    """Tasks created during crawl and still pending right after it returned or raised."""
    running: list[str] = field(default_factory=list)
    """get_links calls still running right after crawl returned or raised."""
    cancelled: list[str] = field(default_factory=list)
    """get_links calls cancelled by the time crawl returned or raised."""
    heartbeat: Heartbeat | None = None
    sleeps: list[str] = field(default_factory=list)

    @property
    def raised(self) -> bool:
        return self.error is not None

    def got(self) -> str:
        if self.error is not None:
            return f"raised {type(self.error).__name__}: {short_repr(str(self.error))}"
        return f"returned {short_repr(self.value)}"


def called(limit: int, timeout: float) -> str:
    return f"await crawl('root', get_links, limit={limit}, timeout={timeout:g})"


def crawl(learner, fake: AsyncSite, limit: int, timeout: float, *, call: str | None = None, spy=False, on_hang=None):
    """Run the learner's crawl in a fresh loop; the :class:`Scene` (the claim fails if it hangs)."""
    call = call or called(limit, timeout)

    async def scenario() -> Scene:
        fake.loop = asyncio.get_running_loop()
        scene = Scene(heartbeat=Heartbeat())
        scene.heartbeat.start()
        before = set(asyncio.all_tasks())
        start = time.perf_counter()
        sleeps = BlockingSpy(learner.submission) if spy else None
        try:
            if sleeps:
                sleeps.__enter__()
            scene.value = await learner.crawl("root", fake, limit=limit, timeout=timeout)
        except BaseException as exc:  # the learner's outcome, whatever it is
            scene.error = exc
        finally:
            if sleeps:
                sleeps.__exit__()
                scene.sleeps = sleeps.calls
        scene.elapsed = time.perf_counter() - start
        scene.ended_at = fake.log.now()
        scene.left = [describe_task(t, learner.submission) for t in tasks_left(before)]
        scene.running = [c.label for c in fake.log.running()]
        scene.cancelled = fake.cancelled()
        await asyncio.sleep(0.05)  # leftover tasks get turns: a call they start now is after crawl ended
        await scene.heartbeat.stop()
        return scene

    def run() -> Scene:
        try:
            return asyncio.run(scenario())
        finally:
            fake.over = True

    outcome = learner.run(run, called=call, deadline=timeout + GIVE_UP, on_hang=on_hang)
    scene = learner.result(outcome)
    learner.implemented(scene.error, call)
    return scene


def value(learner, scene: Scene, call: str) -> Any:
    if scene.error is not None:
        raise failure(f"{call} {scene.got()}, which the contract does not expect here.", idea=CRAWL_IDEA)
    return scene.value


class Down(Exception):
    """The grader's failure of one page."""


def raiser(error: BaseException, first=None):
    async def fail(page: str) -> None:
        if first is not None:
            await first(page)
        raise error

    return fail


# ---------------------------------------------------------------- task 1 · the crawl on coroutines


@pytest.mark.task(1)
def test_limit_below_one_is_a_value_error(learner):
    scene = crawl(learner, AsyncSite({"root": []}), 0, 10.0)
    if not isinstance(scene.error, ValueError):
        raise failure(f"{called(0, 10.0)} {scene.got()}; expected ValueError: limit must be at least 1.")


@pytest.mark.task(1)
def test_crawl_returns_every_reachable_page(learner):
    graph: Graph = {
        "root": ["a", "b", "a", "root"],
        "a": ["c"],
        "b": ["c", "b", "d"],
        "c": ["root", "e"],
        "d": [],
        "e": ["f"],
        "f": ["a"],
        "unreachable": ["a"],
    }
    no_way_back: Graph = {"root": ["a", "b"], "a": ["c"], "b": []}
    for limit, pages in ((1, graph), (3, graph), (2, no_way_back)):
        fake = AsyncSite(pages)
        scene = crawl(learner, fake, limit, 10.0)
        call = called(limit, 10.0)
        expect_reachable(value(learner, scene, call), pages, called=call, fake=fake, idea=CRAWL_IDEA)


@pytest.mark.task(1)
def test_get_links_is_called_once_per_page(learner):
    # a and b return together, both linking to c: a check-then-add split by an await sees c as new twice.
    graph: Graph = {"root": ["a", "b"], "a": ["c", "a"], "b": ["c", "root"], "c": []}
    gate = AsyncRendezvous(2, timeout=2.0)
    fake = AsyncSite(graph, {"a": gate.wait, "b": gate.wait})
    scene = crawl(learner, fake, 4, 10.0)
    call = called(4, 10.0)
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)
    expect_fetched_once(
        fake,
        called=call,
        why="two tasks found it at once, and the check and the add on the seen set were split by an await.",
        evidence=fake.log.timeline(until=scene.elapsed),
        idea="mark a page seen when you find it, before any await; the check and the add must not be split",
    )


# ---------------------------------------------------------------- task 2 · a bounded number of calls


@pytest.mark.task(2)
def test_up_to_limit_calls_are_awaiting_at_once(learner):
    limit, graph = 4, star("root", 8)
    gate = AsyncRendezvous(limit, timeout=2.0)
    fake = AsyncSite(graph, dict.fromkeys(graph["root"], gate.wait))
    scene = crawl(learner, fake, limit, 20.0)
    if not gate.opened:
        raise failure(
            f"With 8 pages found, at most {gate.most_waiting} of limit={limit} get_links calls were awaiting at "
            "once: awaiting each call before starting the next runs them one at a time.",
            called=called(limit, 20.0),
            contract="up to `limit` calls awaiting at once whenever that many pages are waiting",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CRAWL_IDEA,
        )
    expect_reachable(
        value(learner, scene, called(limit, 20.0)), graph, called=called(limit, 20.0), fake=fake, idea=CRAWL_IDEA
    )


@pytest.mark.task(2)
def test_never_more_than_limit_calls_at_once(learner):
    limit, graph = 3, star("root", 12)
    gate = AsyncRendezvous(limit + 1, timeout=0.5)  # opens only if one call too many is awaiting
    fake = AsyncSite(graph, dict.fromkeys(graph["root"], gate.wait))
    scene = crawl(learner, fake, limit, 20.0)
    if gate.opened or fake.log.max_in_flight > limit:
        raise failure(
            f"{fake.log.max_in_flight} get_links calls were awaiting at once with limit={limit}: never more than "
            "`limit` (gather() over every page has no bound).",
            called=called(limit, 20.0),
            contract="never more than `limit` calls at once",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea="async with semaphore: around each call, or exactly `limit` worker tasks",
        )
    expect_reachable(
        value(learner, scene, called(limit, 20.0)), graph, called=called(limit, 20.0), fake=fake, idea=CRAWL_IDEA
    )


@pytest.mark.task(2)
def test_thousands_of_pages_with_a_large_limit(learner):
    limit, graph = 2000, star("root", 3000)
    gate = AsyncRendezvous(limit, timeout=GIVE_UP)
    fake = AsyncSite(graph, dict.fromkeys(graph["root"], gate.wait))
    scene = crawl(learner, fake, limit, 30.0, call=called(limit, 30.0) + " over 3000 pages")
    found = value(learner, scene, called(limit, 30.0))
    if not gate.opened or len(found or ()) != 3001:
        raise failure(
            f"Over 3000 pages with limit={limit}, {len(found or ())} pages came back and at most "
            f"{gate.most_waiting} calls were awaiting at once; expected all 3001, with {limit} calls at once.",
            called=called(limit, 30.0) + " over 3000 pages",
            contract="up to `limit` calls at once, thousands of them if need be",
            idea=CRAWL_IDEA,
        )
    graph, call = chain(3000), called(10, 30.0) + " over a chain of 3000 pages, each linking to the next"
    fake = AsyncSite(graph)
    scene = crawl(learner, fake, 10, 30.0, call=call)
    if scene.error is not None or scene.value != set(graph):
        raise failure(
            f"On a chain of 3000 pages, crawl {scene.got()}: a crawl that awaits the next page's crawl inside "
            "this one nests one call per link, and a long chain runs out of stack (RecursionError).",
            called=call,
            contract="a chain of thousands of pages, each linking only to the next, is fine",
            idea="keep the pages to fetch in a queue or a set of tasks, not in nested awaits",
        )


# ---------------------------------------------------------------- task 3 · errors, deadlines and cleanup


@pytest.mark.task(3)
def test_an_error_cancels_the_other_calls_and_is_raised(learner):
    error = Down("b is down")
    gate = AsyncRendezvous(2, timeout=2.0)

    async def hang(page: str) -> None:
        await gate.wait()
        await forever(page)

    fake = AsyncSite({"root": ["a", "b"], "a": [], "b": []}, {"a": hang, "b": raiser(error, gate.wait)})
    call = called(2, 10.0) + " where get_links('b') raises while get_links('a') never returns"
    scene = crawl(
        learner,
        fake,
        2,
        10.0,
        call=call,
        on_hang=f"{call} did not return within {GIVE_UP:g} s after get_links('b') raised: it waits for "
        "get_links('a'), which never returns; cancel the other calls when one raises.",
    )
    if scene.error is not error:
        group = isinstance(scene.error, BaseExceptionGroup)
        raise failure(
            f"get_links('b') raised Down('b is down'), and crawl {scene.got()}: raise that exception itself"
            + (", not an ExceptionGroup around it." if group else "."),
            called=call,
            contract="that exception itself is raised (the original object, not an ExceptionGroup)",
            idea=CANCEL_IDEA,
        )
    if "a" not in scene.cancelled or scene.running:
        raise failure(
            "crawl raised, but get_links('a') was not cancelled: every other call in flight is cancelled when one "
            "raises.",
            called=call,
            contract="if a call raises, every other call in flight is cancelled",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CANCEL_IDEA,
        )


@pytest.mark.task(3)
def test_after_an_error_no_call_starts(learner):
    limit, graph = 2, star("root", 40)
    error = Down("p03 is down")

    async def slow(page: str) -> None:
        await asyncio.sleep(0.005)

    fake = AsyncSite(graph, dict.fromkeys(graph["root"], slow) | {"p03": raiser(error)})
    call = called(limit, 30.0) + " where get_links('p03') raises"
    scene = crawl(learner, fake, limit, 30.0, call=call)
    if scene.error is not error:
        raise failure(
            f"get_links('p03') raised Down('p03 is down'), and crawl {scene.got()}.", called=call, idea=CANCEL_IDEA
        )
    failed_at = next(c.end for c in fake.log.calls if c.label == "p03")
    later = [c.label for c in fake.log.calls if failed_at is not None and c.start > failed_at]
    after_end = [c.label for c in fake.log.calls if c.start > scene.ended_at]
    if after_end or len(later) > limit:
        raise failure(
            f"After get_links('p03') raised, {len(later)} more calls started"
            + (f", {len(after_end)} of them after crawl had raised" if after_end else "")
            + f": {short_repr(later, 60)}. Once a call raises, the crawl stops.",
            called=call,
            contract="no call starts after crawl has raised",
            evidence=[f"{len(fake.log.calls)} calls in all, of {len(graph['root']) + 1} pages"],
            idea=CANCEL_IDEA,
        )


@pytest.mark.task(3)
def test_the_timeout_cancels_everything_and_raises_timeout_error(learner):
    timeout = 0.3
    fake = AsyncSite({"root": ["a", "b"], "a": [], "b": []}, {"a": forever})
    call = called(2, timeout) + " where get_links('a') never returns"
    scene = crawl(learner, fake, 2, timeout, call=call)
    if not isinstance(scene.error, TimeoutError) or scene.elapsed > timeout + MARGIN:
        raise failure(
            f"crawl {scene.got()} after {scene.elapsed:.2f} s with timeout={timeout:g} and a call that never "
            f"returns: it should raise TimeoutError at the deadline (within {MARGIN:g} s).",
            called=call,
            contract="past timeout, everything is cancelled and TimeoutError is raised",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CANCEL_IDEA,
        )
    if "a" not in scene.cancelled or scene.running:
        raise failure(
            "crawl raised TimeoutError but left get_links('a') running: past the deadline, everything is cancelled.",
            called=call,
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CANCEL_IDEA,
        )


@pytest.mark.task(3)
def test_no_task_is_left_running(learner):
    graph: Graph = {"root": ["a", "b", "c"], "a": ["d"], "b": [], "c": [], "d": []}
    fake = AsyncSite(graph)
    call = called(2, 10.0)
    scene = crawl(learner, fake, 2, 10.0)
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)
    error = Down("b is down")
    failing = AsyncSite(graph, {"a": forever, "b": raiser(error)})
    raising = crawl(learner, failing, 2, 10.0, call=call + " where get_links('b') raises")
    for when, seen in (("returned", scene), ("raised", raising)):
        if seen.left:
            raise failure(
                f"Right after crawl {when}, {len(seen.left)} task(s) it created were still running: cancel them "
                "and wait for them to finish before you return or raise.",
                called=call,
                contract="when crawl returns or raises, none of its tasks is left running",
                evidence=seen.left,
                idea="a TaskGroup waits for its tasks; after task.cancel(), await the task (or gather them)",
            )


@pytest.mark.task(3)
def test_the_event_loop_is_never_blocked(learner):
    async def slow(page: str) -> None:
        await asyncio.sleep(0.01)

    graph = star("root", 12)
    fake = AsyncSite(graph, dict.fromkeys(graph, slow))
    call = called(3, 10.0)
    scene = crawl(learner, fake, 3, 10.0, spy=True)
    heartbeat = scene.heartbeat
    assert heartbeat is not None
    if scene.sleeps or heartbeat.worst > BLOCKED:
        raise failure(
            "crawl blocked the event loop: while it runs, no other coroutine on the loop can run"
            + (", and time.sleep() in a coroutine is exactly that." if scene.sleeps else "."),
            called=call,
            contract="it runs on the caller's event loop and never blocks it",
            evidence=[f"on the loop's thread: {where}" for where in scene.sleeps[:3]] + [heartbeat.describe()],
            idea="await asyncio.sleep(); run blocking work with await asyncio.to_thread(...)",
        )
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)


@pytest.mark.task(3)
def test_crawl_runs_on_the_callers_loop(learner):
    graph: Graph = {"root": ["a", "b"], "a": [], "b": []}
    fake = AsyncSite(graph)
    call = called(2, 10.0)
    scene = crawl(learner, fake, 2, 10.0)
    if fake.foreign:
        raise failure(
            "crawl started an event loop of its own: get_links ran on another loop than the caller's.",
            called=call,
            contract="it runs on the caller's event loop",
            evidence=fake.foreign[:3],
            idea="crawl is a coroutine: await things in it; never asyncio.run() or new_event_loop() inside",
        )
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)
