"""Kata 56 · Recognising fan-out and fan-in: the claims.

``crawl`` is checked against a breadth-first model on hand-picked graphs (each one a known mistake)
and on random graphs that Hypothesis shrinks to a minimal example.  ``wait_fraction`` is checked
against the share the grader measures itself, inside ``func``, in the same run: a loaded machine
changes both alike, so no fixed bound decides.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest

from graders.harness.messages import failure, short_repr
from graders.harness.properties import given, st
from graders.harness.site import Graph, depths, read_twice_evidence, site

GIVE_UP = 10.0
"""Seconds after which a crawl of a few pages is a hang."""
TOLERANCE = 0.15
"""How far wait_fraction may be from the share the grader measured inside func (call overhead,
a clock tick)."""
BFS_IDEA = "a breadth-first crawl: a set of seen pages, one level at a time; fetch a page only below max_depth"


CALL_CAP = 1000
"""get_links calls after which a crawl of a few pages is taken to loop forever, and stopped (exactly once per page is
what the contract allows: a handful here)."""


class EndlessCrawl(BaseException):
    """Raised by ``get_links`` past :data:`CALL_CAP` calls: ends a crawl that loops forever at once, instead of at the
    deadline (a BaseException, so that the learner's ``except Exception`` does not swallow it)."""


def crawl(learner, graph: Graph, root: str, max_depth: int, hooks=None):
    """Run the learner's crawl on ``graph``; the result and the fake."""
    called = f"crawl({root!r}, get_links, max_depth={max_depth})"
    calls = [0]

    def counted(page: str) -> None:
        calls[0] += 1
        if calls[0] > CALL_CAP:
            raise EndlessCrawl(f"get_links called {CALL_CAP} times")
        hook = (hooks or {}).get(page)
        if hook is not None:
            hook(page)

    pages = {root, *graph, *(link for links in graph.values() for link in links)}
    with site(graph, dict.fromkeys(pages, counted)) as fake:
        outcome = learner.run(
            learner.crawl,
            root,
            fake,
            max_depth=max_depth,
            called=called,
            deadline=GIVE_UP,
            on_hang=f"{called} did not return within {GIVE_UP:g} s on a graph of {len(graph)} pages: "
            "an endless loop (a cycle in the links, followed again and again?).",
        )
    if isinstance(outcome.error, EndlessCrawl):
        most = fake.fetches().most_common(3)
        raise failure(
            f"{called} called get_links more than {CALL_CAP} times on a graph of {len(pages)} page"
            f"{'s' if len(pages) != 1 else ''}, and was still "
            "going when the grader stopped it: an endless loop, a cycle in the links followed again and again.",
            called=called,
            contract="get_links is called exactly once for each page whose depth is below max_depth",
            evidence=[
                f"links: {show_graph(graph)}",
                "most fetched: " + ", ".join(f"{page!r} {count} times" for page, count in most),
            ],
            idea="keep a set of pages already seen, and never queue a page that is in it",
        )
    return outcome, fake, called


def show_graph(graph: Graph) -> str:
    return ", ".join(f"{page}->{links}" for page, links in graph.items())


def why_deeper(page: str, found: dict, expected: dict[str, int], fetched: list[str]) -> str:
    """How ``page`` came to be recorded at the wrong depth, as far as the order of the fetches shows it."""
    if found[page] < expected[page]:
        return ""
    if fetched.count(page) > 1:
        return f" (it was fetched {fetched.count(page)} times: reached again by a longer path, it got the deeper depth)"
    order = [p for p in fetched if p in expected]
    for before, after in itertools.pairwise(order):
        if expected[after] < expected[before]:
            return (
                f" (the crawl fetched {before!r}, at depth {expected[before]}, before {after!r}, at depth "
                f"{expected[after]}: a depth-first walk keeps the first path it finds, not the shortest)"
            )
    return " (a page's depth is the level at which a breadth-first crawl first meets it)"


def check_crawl(learner, graph: Graph, root: str, max_depth: int) -> None:
    """The crawl returns the model's depths and fetches each page below max_depth exactly once."""
    outcome, fake, called = crawl(learner, graph, root, max_depth)
    found = learner.result(outcome)
    expected = depths(graph, root, max_depth)
    fetches = fake.fetches()
    should_fetch = {page for page, depth in expected.items() if depth < max_depth}
    evidence = [f"links: {show_graph(graph)}", f"get_links called for: {fake.log.labels()}"]
    if found != expected:
        evidence += read_twice_evidence(fake)
        wrong = sorted(p for p in expected if isinstance(found, dict) and p in found and found[p] != expected[p])
        raise failure(
            f"crawl returned {short_repr(found, 120)}; expected {short_repr(expected, 120)}"
            + (
                f": {wrong[0]!r} is at depth {found[wrong[0]]}, but its shortest distance from the root is "
                f"{expected[wrong[0]]}{why_deeper(wrong[0], found, expected, fake.log.labels())}."
                if wrong
                else "."
            ),
            called=called,
            contract="{page: depth} for every page within max_depth; depth = shortest distance from root",
            evidence=evidence,
            idea=BFS_IDEA,
        )
    twice = sorted(p for p, n in fetches.items() if n > 1)
    if twice:
        raise failure(
            f"crawl fetched {twice[0]!r} twice: get_links is called exactly once per page (twice or more: {twice}).",
            called=called,
            contract="get_links is called exactly once for each page whose depth is below max_depth",
            evidence=evidence,
            idea="add a page to the seen set when you first find it, and skip pages already seen",
        )
    at_limit = sorted(p for p in fetches if p in expected and expected[p] >= max_depth)
    if at_limit:
        raise failure(
            f"crawl fetched {at_limit[0]!r}, which is at depth {expected[at_limit[0]]} = max_depth: "
            "pages at max_depth belong in the result but are never fetched.",
            called=called,
            contract="get_links is never called for a page at max_depth",
            evidence=evidence,
            idea=BFS_IDEA,
        )
    missing = sorted(should_fetch - set(fetches))
    if missing:
        raise failure(
            f"crawl never fetched {missing[0]!r}, which is at depth {expected[missing[0]]} < max_depth={max_depth}.",
            called=called,
            evidence=evidence,
            idea=BFS_IDEA,
        )


# ---------------------------------------------------------------- task 1 · a breadth-first crawl


@pytest.mark.task(1)
def test_crawl_to_depth_zero_is_the_root_alone(learner):
    outcome, fake, called = crawl(learner, {"root": ["a", "b"]}, "root", 0)
    found = learner.result(outcome)
    if found != {"root": 0} or fake.log.calls:
        raise failure(
            f"{called} returned {short_repr(found)} after {len(fake.log.calls)} get_links calls; "
            "expected {'root': 0} without fetching anything: the root is at depth 0 = max_depth.",
            called=called,
            idea=BFS_IDEA,
        )


@pytest.mark.task(1)
def test_crawl_records_the_shortest_depth(learner):
    # A depth-first walk reaches c through a and b (depth 3) before it sees root -> c (depth 1).
    check_crawl(learner, {"root": ["a", "c"], "a": ["b"], "b": ["c"], "c": ["d"], "d": []}, "root", 4)
    # c is 2 links from the root through one child and 3 through the other: a walk that goes deep first, from the
    # last child (a stack, pop()) or from the first (recursion), meets c on the long path first in one of the two.
    check_crawl(learner, {"root": ["a", "b"], "a": ["c"], "b": ["d"], "d": ["c"]}, "root", 3)
    check_crawl(learner, {"root": ["a", "b"], "a": ["d"], "d": ["c"], "b": ["c"]}, "root", 3)


@pytest.mark.task(1)
def test_crawl_ends_on_cycles(learner):
    # Before any other graph with cycles: a crawl that loops forever hangs here, with this message.
    graph = {"root": ["a"], "a": ["b", "a"], "b": ["root", "c"], "c": ["a", "c"]}
    check_crawl(learner, graph, "root", 50)


@pytest.mark.task(1)
def test_crawl_fetches_each_page_once(learner):
    graph = {"root": ["a", "a", "b", "root"], "a": ["a", "b", "root"], "b": ["a", "c", "c"], "c": ["b"]}
    check_crawl(learner, graph, "root", 5)


@pytest.mark.task(1)
def test_crawl_never_fetches_pages_at_max_depth(learner):
    check_crawl(learner, {"root": ["a", "b"], "a": ["c"], "b": ["d"], "c": ["e"], "d": ["e"]}, "root", 2)


@pytest.mark.task(1)
def test_crawl_propagates_errors_from_get_links(learner):
    class Broken(ConnectionError):
        """A network error: a crawl that catches OSError (or ConnectionError) and goes on swallows it too."""

    error = Broken("b is down")

    def fail(page: str) -> None:
        raise error

    outcome, _, called = crawl(learner, {"root": ["a", "b"], "a": [], "b": []}, "root", 3, hooks={"b": fail})
    if outcome.error is not error:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"get_links('b') raised Broken('b is down'), but crawl {got}: its exceptions must propagate, "
            "as raised (the same object).",
            called=called,
            contract="exceptions of get_links propagate",
            idea="do not catch what you cannot handle: let the exception leave crawl",
        )


@pytest.mark.task(1)
def test_crawl_matches_breadth_first_search_on_any_graph(learner):
    pages = st.sampled_from(["root", "a", "b", "c", "d", "e"])
    graphs = st.dictionaries(pages, st.lists(pages, max_size=4), max_size=6)

    @given(graph=graphs, max_depth=st.integers(0, 4))
    def any_graph(graph: Graph, max_depth: int) -> None:
        check_crawl(learner, graph, "root", max_depth)

    learner.result(learner.run(any_graph, called="crawl on random graphs", deadline=50.0))


# ---------------------------------------------------------------- task 2 · how much of the time is waiting


class Measured:
    """A ``func`` that measures its own share of waiting, the way wait_fraction should."""

    def __init__(self, body, other_cpu: Callable[[], float] | None = None) -> None:
        self.body = body
        self.other_cpu = other_cpu
        """The CPU time another thread (the grader's) has used so far, if one runs alongside."""
        self.calls: list[tuple] = []
        self.threads: list[str] = []
        self.share = 0.0
        self.wall = 0.0
        self.others = 0.0
        """The CPU time the other thread used during the call."""
        self.user_share: float | None = None
        """The share the function would measure from its thread's user CPU time alone (system time left out), where
        ``getrusage(RUSAGE_THREAD)`` exists."""

    def __call__(self, *args: object) -> None:
        self.calls.append(args)
        self.threads.append(threading.current_thread().name)
        user = user_time()
        others = self.other_cpu() if self.other_cpu else 0.0
        wall, cpu = time.perf_counter(), time.thread_time()
        self.body()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        self.others = (self.other_cpu() if self.other_cpu else 0.0) - others
        after = user_time()
        self.wall = wall
        self.share = min(1.0, max(0.0, 1 - cpu / wall))
        if user is not None and after is not None:
            self.user_share = min(1.0, max(0.0, 1 - (after - user) / wall))


def user_time() -> float | None:
    """The calling thread's user CPU time (Linux), or None."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_THREAD).ru_utime  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        return None


def user_time_only(value: float, func: Measured, *, closer_than_inverted: bool = False) -> bool:
    """Whether ``value`` is above the share the function measured and near the share from user time alone (and,
    with ``closer_than_inverted``, nearer to it than to the busy share: on a quiet machine the two are close)."""
    return (
        func.user_share is not None
        and value > func.share
        and abs(value - func.user_share) <= min(TOLERANCE, (value - func.share) / 2)
        and (not closer_than_inverted or abs(value - func.user_share) < abs(value - (1 - func.share)))
    )


def counts_other_threads(value: float, func: Measured) -> bool:
    """Whether ``value`` counts half or more of the CPU time another thread used during the call as the calling
    thread's (when that thread got 2 % of the wall time or more). On a loaded machine the other thread gets little
    CPU, and process time can come within the tolerance of the share the function measured; this does not."""
    other = func.others / func.wall if func.wall > 0 else 0.0
    return other > 0.02 and (1 - value) - (1 - func.share) > other / 2


def undercounted(value: float, func: Measured) -> bool:
    """Whether ``value`` counts less than half of the CPU time the function measured (and 5 % of the wall time or
    more less). On a loaded machine the busy share of a computing function shrinks (it waits for a CPU too), and a
    wait_fraction that leaves part of the CPU time out, e.g. the system time, can come within the tolerance of it;
    the ratio does not shrink with the load."""
    busy, measured = 1 - value, 1 - func.share
    return measured - busy > 0.05 and busy < measured / 2


def sleep() -> None:
    time.sleep(0.2)


def compute() -> None:
    """0.2 s of the thread's CPU time, most of it system (kernel) time: the kernel fills a buffer from /dev/zero
    (where there is one), so a wait_fraction that counts user time alone counts a small part of it, on any load."""
    try:
        zero = open("/dev/zero", "rb", buffering=0)  # noqa: SIM115
    except OSError:
        zero = None
    buf = bytearray(1 << 18)
    end = time.thread_time() + 0.2
    try:
        while time.thread_time() < end:
            if zero is not None:
                zero.readinto(buf)
    finally:
        if zero is not None:
            zero.close()


def measure(learner, func: Measured, *args: object) -> float:
    called = f"wait_fraction({func.body.__name__}{''.join(', ' + repr(a) for a in args)})"
    value = learner.result(learner.run(learner.wait_fraction, func, *args, called=called, deadline=GIVE_UP))
    if not isinstance(value, float) or not 0.0 <= value <= 1.0:
        raise failure(
            f"{called} returned {short_repr(value)}: expected a float between 0 and 1.",
            contract="1 - thread CPU time / wall time, clamped to [0, 1]",
        )
    return value


WAIT_IDEA = "time.thread_time() counts only the calling thread's CPU; time.perf_counter() the wall clock"


def inverted(value: float, share: float) -> bool:
    """Whether ``value`` is the busy share (CPU / wall) rather than the waiting share the function measured."""
    return abs(value - (1 - share)) <= TOLERANCE and abs(value - share) > TOLERANCE and value >= 2 * TOLERANCE


def looks_inverted(learner) -> str:
    """After a failure: wait_fraction of a function that computes, and whether it comes out as 1 - the share."""
    func = Measured(compute)
    outcome = learner.run(learner.wait_fraction, func, called="wait_fraction(compute)", deadline=GIVE_UP)
    if outcome.raised or not isinstance(outcome.value, float) or not inverted(outcome.value, func.share):
        return ""
    return (
        f"It looks inverted: for a function that computes, it returned {outcome.value:.2f} where the function "
        f"measured {func.share:.2f} of its time waiting; CPU / wall is the busy share, the waiting share is "
        "1 - CPU / wall."
    )


@pytest.mark.task(2)
def test_wait_fraction_of_sleeping_is_near_one(learner):
    func = Measured(sleep)
    value = measure(learner, func)
    if abs(value - func.share) > TOLERANCE:
        cause = looks_inverted(learner) or (
            "A 0 comes from measuring CPU time with a wall clock (CPU = wall), or from returning the busy share "
            "CPU / wall instead of 1 - CPU / wall."
            if value <= TOLERANCE
            else ""
        )
        raise failure(
            f"wait_fraction(a function that sleeps 0.2 s) returned {value:.2f}; the function itself measured "
            f"{func.share:.2f} of its time waiting. A sleeping thread uses no CPU, so the share is near 1. {cause}",
            contract="1 - thread CPU time / wall time",
            idea=WAIT_IDEA,
        )


@pytest.mark.task(2)
def test_wait_fraction_of_computing_matches_the_thread_cpu_share(learner):
    func = Measured(compute)
    value = measure(learner, func)
    if abs(value - func.share) > TOLERANCE or undercounted(value, func):
        raise failure(
            f"wait_fraction(a function that computes for 0.2 s of CPU) returned {value:.2f}; the function "
            f"itself measured {func.share:.2f} of its time waiting, from its thread's CPU time and the wall clock"
            + (
                f": {value:.2f} is about 1 - {func.share:.2f}, so it looks inverted (CPU / wall is the busy share, "
                "the waiting share is 1 - CPU / wall)."
                if inverted(value, func.share) and not user_time_only(value, func, closer_than_inverted=True)
                else f": {value:.2f} is about the share from the thread's user CPU time alone "
                f"({func.user_share:.2f}), so system (kernel) time looks left out. The thread's CPU time is user "
                "+ system time (getrusage's ru_utime + ru_stime), which is what time.thread_time() gives."
                if user_time_only(value, func)
                else "."
            ),
            contract="1 - thread CPU time / wall time",
            idea=WAIT_IDEA,
        )


@pytest.mark.task(2)
def test_wait_fraction_ignores_other_threads_cpu(learner):
    stop = threading.Event()
    burned = [0.0]

    def burn() -> None:
        while not stop.is_set():
            burned[0] = time.thread_time()

    burner = threading.Thread(target=burn, name="grader-burner", daemon=True)
    burner.start()
    try:
        func = Measured(sleep, other_cpu=lambda: burned[0])
        value = measure(learner, func)
    finally:
        stop.set()
        burner.join()
    if abs(value - func.share) > TOLERANCE or counts_other_threads(value, func):
        cause = looks_inverted(learner) or (
            "The CPU that other threads used is not this call's: process time counts every thread of the process."
        )
        raise failure(
            f"wait_fraction(a function that sleeps 0.2 s) returned {value:.2f} while another thread computed; "
            f"the function itself measured {func.share:.2f} of its time waiting. {cause}",
            contract="the share of wall time during which the calling thread was not running",
            idea=WAIT_IDEA,
        )


@pytest.mark.task(2)
def test_wait_fraction_calls_func_once_with_its_args(learner):
    func = Measured(lambda: None)
    func.body.__name__ = "func"
    measure(learner, func, 1, "two")
    if func.calls != [(1, "two")]:
        raise failure(
            f"wait_fraction(func, 1, 'two') called func {len(func.calls)} times, with {func.calls}; "
            "expected once, as func(1, 'two'): measure the wall clock and CPU time around one call.",
            contract="wait_fraction calls func(*args) once",
            idea=WAIT_IDEA,
        )
    if func.threads != ["learner-call"]:
        raise failure(
            f"wait_fraction ran func in another thread ({func.threads[0]!r}), not in the calling thread: the "
            "calling thread's CPU clock then measures a thread that only waits, so computing looks like waiting.",
            contract="the share of func's wall time during which the calling thread was not running",
            idea="call func(*args) directly, between two readings of time.thread_time() and time.perf_counter()",
        )
