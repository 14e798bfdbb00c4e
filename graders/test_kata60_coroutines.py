"""Kata 60 · The crawl on coroutines: the claims.

Each claim runs ``asyncio.run`` on a scenario that awaits the learner's ``crawl`` over a fake async
web: in-loop rendezvous prove how many calls were awaiting at once (and that one more never was),
a page that never returns shows what an error or the deadline does to calls in flight, pages without
end whose calls all return at once show whether ``timeout`` is one deadline for the whole crawl, the
tasks still pending right after ``crawl`` returns are listed (and, when it is stuck, where each one
waits), and a heartbeat plus a ``time.sleep`` spy on the loop's thread prove the loop was never
blocked.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from graders.harness.aio import (
    AsyncRendezvous,
    AsyncSite,
    BlockingSpy,
    Heartbeat,
    SlowToCancel,
    describe_task,
    tasks_left,
)
from graders.harness.messages import ClaimFailed, failure, short_repr
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
class Snapshot:
    """Where a crawl stood at one moment, seen from inside its loop."""

    awaiting: list[str]
    """get_links calls started and not returned."""
    waiting: list[str]
    """Pages found (in a result the crawl got back, or root) and not yet fetched."""
    tasks: list[str]
    """Where crawl and each task it created were waiting, grouped by line."""
    own_tasks: int
    """Tasks crawl created that were still running."""
    waits_in: set[str]
    """What those tasks awaited inside asyncio: "locks.acquire", "queues.put", …"""

    def evidence(self, when: str) -> list[str]:
        return [
            f"{when}: {len(self.awaiting)} get_links call(s) awaiting {short_repr(self.awaiting, 50)}, "
            f"{len(self.waiting)} page(s) found and not fetched {short_repr(self.waiting, 50)}",
            *self.tasks[:4],
        ]

    def cause(self) -> str | None:
        """The likely mistake, when the tasks' waits say it."""
        if "queues.put" in self.waits_in:
            return (
                "a worker waits in `await queue.put(link)` on a full asyncio.Queue(maxsize=…) that only the workers "
                "empty, so no one is left to take from it: use an unbounded asyncio.Queue()"
            )
        if "locks.acquire" in self.waits_in:  # while fewer than `limit` calls await: its holders wait elsewhere
            return (
                "tasks wait for the semaphore while the tasks holding it wait for something else (their child "
                "tasks?): hold it only around `await get_links(page)`, never while awaiting other tasks"
            )
        return None


class Probe:
    """Takes snapshots of a running crawl (from a hook, or at the deadline)."""

    def __init__(self) -> None:
        self.fake: AsyncSite | None = None
        self.submission: Any = None
        self.before: set[asyncio.Task[Any]] = set()
        self.main: asyncio.Task[Any] | None = None
        self.first: Snapshot | None = None
        """The first snapshot a hook asked for with :meth:`once`."""

    def start(self, fake: AsyncSite, submission: Any) -> None:
        self.fake, self.submission = fake, submission
        self.before, self.main = set(asyncio.all_tasks()), asyncio.current_task()

    def once(self) -> None:
        if self.first is None:
            self.first = self.take()

    def take(self) -> Snapshot:
        fake = self.fake
        assert fake is not None
        calls = list(fake.log.calls)
        found = {"root"}.union(*(fake.graph.get(c.label, []) for c in calls if c.outcome == "returned"))
        fetched = {c.label for c in calls}
        # not tasks_left(): a hook takes snapshots from inside a task of the crawl, which must count too
        mine = [t for t in asyncio.all_tasks() if t not in self.before and not t.done()]
        places: Counter[tuple[bool, str]] = Counter()
        waits_in: set[str] = set()
        for task in ([self.main] if self.main is not None else []) + mine:
            place, inner = self._where(task)
            places[task is self.main, place] += 1
            waits_in.add(inner)
        return Snapshot(
            awaiting=[c.label for c in calls if c.end is None],
            waiting=sorted(found - fetched),
            tasks=[
                f"crawl itself {place}" if main else f"{n} task{'s' if n > 1 else ''} {place}"
                for (main, place), n in places.items()
            ],
            own_tasks=len(mine),
            waits_in=waits_in,
        )

    def _where(self, task: asyncio.Task[Any]) -> tuple[str, str]:
        """("waiting at kata60.py:31 `async with sem:` (in locks.acquire)", "locks.acquire") for one task."""
        frames, coro = [], task.get_coro()
        while coro is not None:  # the chain of awaits, outermost first (Task.get_stack stops at the task's own)
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
            if frame is None:
                break
            frames.append(frame)
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        path = frames[-1].f_code.co_filename.replace("\\", "/") if frames else ""
        within = (
            f"{path.rsplit('/', 1)[-1].removesuffix('.py')}.{frames[-1].f_code.co_name}" if "/asyncio/" in path else ""
        )
        mine = [f for f in frames if self.submission.owns(f.f_code.co_filename)]
        if not mine:
            return "(not in your code)", within
        line = mine[-1].f_lineno
        place = f"waiting at {self.submission.path.name}:{line} `{self.submission.source_line(line)}`"
        return (f"{place} (in {within})" if within else place), within


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
    at_deadline: Snapshot | None = None
    """Where the crawl stood just before ``timeout`` (if it was still running then)."""

    @property
    def raised(self) -> bool:
        return self.error is not None

    def got(self) -> str:
        if self.error is not None:
            return f"raised {type(self.error).__name__}: {short_repr(str(self.error))}"
        return f"returned {short_repr(self.value)}"


def called(limit: int, timeout: float) -> str:
    return f"await crawl('root', get_links, limit={limit}, timeout={timeout:g})"


def crawl(
    learner,
    fake: AsyncSite,
    limit: int,
    timeout: float,
    *,
    call: str | None = None,
    spy=False,
    on_hang=None,
    probe: Probe | None = None,
):
    """Run the learner's crawl in a fresh loop; the :class:`Scene` (the claim fails if it hangs).

    A crawl that ran get_links on a loop of its own fails here, whatever the claim (and even if it hung).
    ``probe``, for hooks that take snapshots of the crawl, is started right before ``crawl`` is called.
    """
    call = call or called(limit, timeout)
    probe = probe or Probe()

    async def scenario() -> Scene:
        fake.loop = asyncio.get_running_loop()
        scene = Scene(heartbeat=Heartbeat())
        scene.heartbeat.start()

        async def watch() -> None:  # where the crawl stands just before its deadline, for messages
            await asyncio.sleep(max(0.0, timeout - min(0.1, timeout / 3)))
            scene.at_deadline = probe.take()

        watcher = asyncio.get_running_loop().create_task(watch(), name="grader-deadline-watch")
        probe.start(fake, learner.submission)  # after the grader's own tasks: they are not the crawl's
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
        watcher.cancel()
        scene.left = [describe_task(t, learner.submission) for t in tasks_left(probe.before)]
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

    try:
        outcome = learner.run(run, called=call, deadline=timeout + GIVE_UP, on_hang=on_hang)
    except ClaimFailed:
        if fake.foreign:  # the grader's asyncio.run waits for the thread that runs the learner's loop
            raise foreign_loop(fake, call, hung=True) from None
        raise
    if fake.foreign:
        raise foreign_loop(fake, call)
    scene = learner.result(outcome)
    learner.implemented(scene.error, call)
    return scene


def foreign_loop(fake: AsyncSite, call: str, *, hung: bool = False) -> ClaimFailed:
    return failure(
        "crawl started an event loop of its own: get_links ran on another event loop than the caller's"
        + (", and the caller's asyncio.run then hung, waiting for the thread that runs it." if hung else "."),
        called=call,
        contract="it runs on the caller's event loop",
        evidence=fake.foreign[:3],
        idea="crawl is a coroutine: await things in it; never asyncio.run() or new_event_loop() inside, "
        "not even in a thread",
    )


def value(learner, scene: Scene, call: str) -> Any:
    """What crawl returned; the claim fails if it raised (none of these scenes has a slow call)."""
    snap = scene.at_deadline
    if isinstance(scene.error, TimeoutError) and snap is not None:
        stalled = not snap.awaiting and snap.waiting
        raise failure(
            "crawl raised TimeoutError, though no get_links call here is slow"
            + (
                f": just before the deadline none was awaiting while {len(snap.waiting)} page(s) were found and not "
                "fetched, so the crawl was waiting on itself."
                if stalled
                else "."
            ),
            called=call,
            contract="every page reachable from root, root included",
            evidence=snap.evidence("just before the deadline"),
            idea=snap.cause() or CRAWL_IDEA,
        )
    if scene.error is not None:
        raise failure(f"{call} {scene.got()}, which the contract does not expect here.", idea=CRAWL_IDEA)
    return scene.value


def still_cleaning_up(stubborn: SlowToCancel, scene: Scene, page: str, call: str, fake: AsyncSite) -> None:
    """Fail if ``page``'s call got its cancellation but was still running (cleaning up) when crawl ended."""
    if page in stubborn.cleaning and page in scene.running:
        raise failure(
            f"crawl {scene.got()} while get_links({page!r}), which it had cancelled, was still running: its clean-up "
            f"takes a few loop turns and {SlowToCancel.CLEANUP:g} s, and crawl did not wait for it. Cancelling a "
            "task only asks it to stop.",
            called=call,
            contract="when crawl returns or raises, none of its tasks is left running",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea="after task.cancel(), await the task (gather or asyncio.wait); a TaskGroup or asyncio.timeout "
            "does it for you; asyncio.sleep(0) is not enough",
        )


SWALLOWED = (
    ": its exceptions propagate. Down is a ConnectionError: an `except OSError` or `except ConnectionError` that "
    "skips the page swallows it."
)


class Down(ConnectionError):
    """The grader's failure of one page: a network error, the kind a crawler is tempted to catch and skip."""


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
    for limit, pages, one_shot in ((1, graph, False), (3, graph, False), (2, no_way_back, False), (2, graph, True)):
        fake = AsyncSite(pages, one_shot=one_shot)
        call = called(limit, 10.0) + (" where get_links returns iterators, not lists" if one_shot else "")
        scene = crawl(learner, fake, limit, 10.0, call=call)
        idea = (
            "get_links returned an iterator, which can be read only once (its type is Iterable[str]): go over its "
            "result once (or make a list of it first), never twice"
            if one_shot
            else CRAWL_IDEA
        )
        expect_reachable(value(learner, scene, call), pages, called=call, fake=fake, idea=idea)
        twice = fake.fetched_twice()
        repeated = {page for links in pages.values() for page in links if links.count(page) > 1}
        if twice and set(twice) <= repeated:  # only pages that some result lists twice: queued once per mention
            source = next(page for page, links in pages.items() if links.count(twice[0]) > 1)
            why = (
                f"get_links({source!r}) returned {pages[source]}, and a page repeated within one result was queued "
                "once for each time it appears."
            )
        else:
            why = "it was found again before its first fetch had marked it seen."
        expect_fetched_once(
            fake,
            called=call,
            why=why,
            evidence=[f"get_links called for: {short_repr(fake.log.labels(), 100)}"],
            idea="check and add each link on its own, as you find it, with no await in between: "
            "`if link not in seen: seen.add(link)`, then queue it",
        )


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
    # root links to four pages, so with limit=4 all four start at once.  p00 waits at a 4-party rendezvous;
    # p01..p03 return at once, with q01..q06, which wait at it too.  It opens only when p00 meets three calls
    # started after p01..p03 returned: a crawl that starts a call as soon as one finishes opens it, in whatever
    # order it takes pages; a crawl in batches (gather a batch, then the next) leaves p00 alone in it, every run.
    limit, timeout = 4, 5.0  # a crawl that deadlocks here costs `timeout`; a correct one takes milliseconds
    graph: Graph = {
        "root": ["p00", "p01", "p02", "p03"],
        "p01": ["q01", "q02"],
        "p02": ["q03", "q04"],
        "p03": ["q05", "q06"],
    }
    gate = AsyncRendezvous(limit, timeout=2.0)
    probe = Probe()

    async def meet(page: str) -> None:
        if not await gate.wait(page):
            probe.once()  # where the crawl stood when the rendezvous gave up

    gated = ["p00", "q01", "q02", "q03", "q04", "q05", "q06"]
    fake = AsyncSite(graph, dict.fromkeys(gated, meet))
    call = called(limit, timeout)
    scene = crawl(learner, fake, limit, timeout, probe=probe)
    if not gate.opened:
        snap = probe.first
        found = f"with {len(snap.waiting)} pages found and not fetched, " if snap is not None and snap.waiting else ""
        most = f"at most {gate.most_waiting} of limit={limit} get_links calls"
        if fake.log.max_in_flight <= 1 and snap is not None and snap.own_tasks:
            what = (
                f"{found.capitalize()}{most} was awaiting at once: only {snap.own_tasks} of the tasks your crawl "
                "started was still running to fetch them."
            )
            idea = (
                "keep `limit` workers until every page found is fetched: a worker that quits when the queue is "
                "empty for a moment leaves the crawl to the one still busy (await queue.join(), then cancel them)"
            )
        elif fake.log.max_in_flight <= 1:
            what = (
                f"{found.capitalize()}{most} was awaiting at once: awaiting each call before starting the next "
                "runs them one at a time."
            )
            idea = CRAWL_IDEA
        else:
            what = (
                f"While p00 was awaiting, {found}{most} were awaiting at once: a new call starts as soon as "
                "another one finishes, not once a whole batch is done."
            )
            idea = (snap.cause() if snap is not None else None) or (
                "a task per page under an asyncio.Semaphore(limit), or `limit` worker tasks on an asyncio.Queue: "
                "not gather() batch by batch"
            )
        raise failure(
            what,
            called=call + " where get_links('p00') waits for 3 more calls",
            contract="up to `limit` calls awaiting at once whenever that many pages are found and not yet fetched",
            evidence=[
                *(snap.evidence("when the grader gave up waiting") if snap is not None else []),
                f"at most {fake.log.max_in_flight} call{'s were' if fake.log.max_in_flight > 1 else ' was'} ever "
                "awaiting at once in this crawl",
            ],
            idea=idea,
        )
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)


@pytest.mark.task(2)
def test_never_more_than_limit_calls_at_once(learner):
    limit, graph = 3, star("root", 12)
    gate = AsyncRendezvous(limit + 1, timeout=0.3)  # opens only if one call too many is awaiting
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
    stubborn = SlowToCancel()

    async def hang(page: str) -> None:
        await gate.wait()
        await stubborn(page)

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
            + (", not an ExceptionGroup around it." if group else "")
            + (SWALLOWED if not scene.raised else "."),
            called=call,
            contract="that exception itself is raised (the original object, not an ExceptionGroup)",
            idea=CANCEL_IDEA,
        )
    still_cleaning_up(stubborn, scene, "a", call, fake)
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
            f"get_links('p03') raised Down('p03 is down'), and crawl {scene.got()}"
            + (SWALLOWED if not scene.raised else "."),
            called=call,
            contract="if a call raises, that exception itself is raised",
            idea=CANCEL_IDEA,
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


class EndlessChains(dict):
    """root -> 100 pages, each the head of a chain with no end: every call returns at once, and the crawl goes on
    until ``stop_after`` seconds after the first call, when every page starts to link nowhere (so a crawl with no
    overall deadline returns instead of hanging).  Many chains side by side, not one: the crawl never gets deep."""

    WIDTH = 100

    def __init__(self, stop_after: float) -> None:
        super().__init__()
        self.stop_after = stop_after
        self.first: float | None = None
        self.stopped = False

    def get(self, page: str, default: Any = None) -> list[str]:
        now = time.perf_counter()
        self.first = self.first if self.first is not None else now
        if now - self.first > self.stop_after:
            self.stopped = True
            return []
        if page == "root":
            return [f"c{k:02d}-1" for k in range(self.WIDTH)]
        head, depth = page.split("-")
        return [f"{head}-{int(depth) + 1}"]


@pytest.mark.task(3)
def test_the_timeout_cancels_everything_and_raises_timeout_error(learner):
    timeout = 0.2
    stubborn = SlowToCancel()
    fake = AsyncSite({"root": ["a", "b"], "a": [], "b": []}, {"a": stubborn})
    call = called(2, timeout) + " where get_links('a') never returns"
    scene = crawl(
        learner,
        fake,
        2,
        timeout,
        call=call,
        on_hang=f"{call} neither raised TimeoutError nor returned within {GIVE_UP:g} s after the deadline: it was "
        "still waiting for get_links('a'). The deadline must fire while a call is pending; a clock checked only "
        "when a call finishes never fires while one hangs. Wrap the whole crawl: async with asyncio.timeout(timeout).",
    )
    if not isinstance(scene.error, TimeoutError) or scene.elapsed > timeout + MARGIN:
        raise failure(
            f"crawl {scene.got()} after {scene.elapsed:.2f} s with timeout={timeout:g} and a call that never "
            f"returns: it should raise TimeoutError at the deadline (within {MARGIN:g} s).",
            called=call,
            contract="past timeout, everything is cancelled and TimeoutError is raised",
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CANCEL_IDEA,
        )
    still_cleaning_up(stubborn, scene, "a", call, fake)
    if "a" not in scene.cancelled or scene.running:
        raise failure(
            "crawl raised TimeoutError but left get_links('a') running: past the deadline, everything is cancelled.",
            called=call,
            evidence=fake.log.timeline(until=scene.elapsed),
            idea=CANCEL_IDEA,
        )
    # One deadline for the whole crawl: every call returns at once, but the pages never end (the grader stops
    # them at timeout + MARGIN), so only a deadline on the crawl as a whole ends it in time; one per call never fires.
    chains = EndlessChains(stop_after=timeout + MARGIN)
    fake = AsyncSite(chains)
    call = called(2, timeout) + " over pages without end, each call returning at once"
    scene = crawl(learner, fake, 2, timeout, call=call)
    if scene.raised and not isinstance(scene.error, TimeoutError):
        raise failure(
            f"crawl {scene.got()} after {scene.elapsed:.2f} s with timeout={timeout:g}: past the deadline, it "
            "raises TimeoutError.",
            called=call,
            contract="past timeout, everything is cancelled and TimeoutError is raised",
            idea=CANCEL_IDEA,
        )
    if not isinstance(scene.error, TimeoutError) or scene.elapsed > timeout + MARGIN:
        calls = fake.log.calls
        longest = max(((c.end or scene.ended_at) - c.start for c in calls), default=0.0)
        got = scene.got() if scene.raised or not isinstance(scene.value, set) else f"returned {len(scene.value)} pages"
        raise failure(
            f"crawl {got} after {scene.elapsed:.2f} s with timeout={timeout:g}: no call came near the "
            "timeout, but the crawl as a whole ran past it. `timeout` is one deadline for the whole crawl, not a "
            "limit on each call.",
            called=call,
            contract="timeout is one deadline for the crawl: past it, everything is cancelled and TimeoutError "
            "is raised",
            evidence=[
                f"{len(calls)} get_links calls, the longest {longest * 1000:.1f} ms"
                + (f"; the grader ran out of pages {timeout + MARGIN:g} s in" if chains.stopped else "")
            ],
            idea="async with asyncio.timeout(timeout): around the whole crawl (asyncio.wait_for around each "
            "get_links call bounds only that call)",
        )


@pytest.mark.task(3)
def test_no_task_is_left_running(learner):
    graph: Graph = {"root": ["a", "b", "c"], "a": ["d"], "b": [], "c": [], "d": []}
    fake = AsyncSite(graph)
    call = called(2, 10.0)
    scene = crawl(learner, fake, 2, 10.0)
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)
    error = Down("b is down")
    stubborn = SlowToCancel()
    failing = AsyncSite(graph, {"a": stubborn, "b": raiser(error)})
    raising = crawl(learner, failing, 2, 10.0, call=call + " where get_links('b') raises")
    still_cleaning_up(stubborn, raising, "a", call + " where get_links('b') raises", failing)
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
    if fake.foreign:  # crawl() already fails every claim on this; kept so that this claim says it on its own
        raise foreign_loop(fake, call)
    expect_reachable(value(learner, scene, call), graph, called=call, fake=fake, idea=CRAWL_IDEA)
