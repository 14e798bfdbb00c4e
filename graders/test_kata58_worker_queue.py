"""Kata 58 · The crawl on a worker queue: the claims.

``get_links`` is a fake web whose pages the grader holds, releases, or makes fail with events: a
rendezvous proves how many calls were in flight, a page held back until crawl's own thread is blocked
(or has returned) proves the crawl waited for a busy worker, every claim checks that each page returned
was also fetched, and a forced thread switch at every bytecode makes an unguarded check-then-add on the
seen set fetch a page twice on every run.
"""

from __future__ import annotations

import threading
from types import FrameType
from typing import Any

import pytest

from graders.harness import leaks
from graders.harness.idle import WakeCounter, expect_idle
from graders.harness.inflight import Rendezvous
from graders.harness.lockstep import Lockstep
from graders.harness.messages import failure, short_repr
from graders.harness.settle import settle
from graders.harness.site import Graph, Site, depths, expect_fetched_once, expect_reachable, site, star

GIVE_UP = 10.0
"""Seconds after which a crawl of a few dozen pages is a hang."""
SETTLE_LOOKS = 5
"""Consecutive looks, 10 ms apart, that find a thread off the CPU before it counts as blocked."""
QUIET = 0.4
"""The quiet window over which idle workers' wake-ups are counted."""
ZERO_WORKERS_GIVE_UP = 2.0
"""Seconds after which crawl(..., workers=0) is a hang: raising ValueError takes no time."""
QUEUE_IDEA = "queue.Queue with task_done()/join(), or a pending counter under a Condition, knows when work is done"


def called(workers: int) -> str:
    return f"crawl('root', get_links, workers={workers})"


def run_crawl(
    learner,
    fake: Site,
    workers: int,
    *,
    call: str | None = None,
    caller: list[threading.Thread] | None = None,
    deadline: float = GIVE_UP,
    on_hang: str | None = None,
):
    """Run the learner's crawl under a deadline; ``caller`` receives the thread that calls it."""
    call = call or called(workers)
    learners_crawl = learner.crawl

    def crawl() -> object:
        if caller is not None:
            caller.append(threading.current_thread())
        return learners_crawl("root", fake, workers=workers)

    return learner.run(
        crawl,
        called=call,
        deadline=deadline,
        on_hang=on_hang
        or f"{call} did not return within {deadline:g} s: a worker still waits for a page that will never "
        "come (no sentinel, or a join() that is never satisfied).",
    )


def check_pages(learner, outcome, fake: Site, graph: Graph) -> set[str]:
    found = learner.result(outcome)
    expect_reachable(found, graph, called=outcome.called, fake=fake, idea=QUEUE_IDEA)
    never = sorted(set(depths(graph, "root")) - set(fake.log.labels()))
    if never:
        raise failure(
            f"crawl returned every page, but get_links was never called for {never}: pages were found but "
            "never crawled (the crawl finished while a worker was still busy, and the pages it queued were left).",
            called=outcome.called,
            contract="returns only when every reachable page has been crawled (get_links called once for each)",
            evidence=[f"get_links called for: {fake.log.labels()}"],
            idea=QUEUE_IDEA,
        )
    twice = fake.fetched_twice()
    if twice:
        page = twice[0]
        repeated = any(links.count(page) > 1 for links in graph.values())
        why = (
            "root was crawled without being put in the seen set first, so a link back to it queued it again."
            if page == "root"
            else "a page is crawled once however many links lead to it"
            + (f" (one page lists {page!r} twice)" if repeated else "")
            + ": check each link against the seen set, even one found twice in the same list."
        )
        expect_fetched_once(
            fake,
            called=outcome.called,
            why=why,
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="put root in the seen set before it is queued; `if link not in seen: seen.add(link); queue it`, "
            "under one lock, for every link",
        )
    own = [c.label for c in fake.log.calls if c.thread == "learner-call"]
    if own:
        raise failure(
            f"crawl's own thread called get_links({own[0]!r}) itself: besides the `workers` threads, it fetched "
            "pages too (one thread too many). The `workers` threads take every page from the queue, root included; "
            "crawl's thread only puts root on the queue and waits for the end.",
            called=outcome.called,
            contract="`workers` threads take pages from a queue.Queue; never more than `workers` threads or calls",
            evidence=[f"pages crawl's own thread fetched: {short_repr(own)}"],
            idea="put root on the queue, start the workers, then wait (join) without calling get_links",
        )
    return found


class SettleAfterCall:
    """Inside ``with SettleAfterCall(learner, caller) as pacer:``, a thread marked with :meth:`mark` (from a
    ``get_links`` hook) waits, before each line it runs in the learner's file until it calls ``get_links``
    again, until crawl's own thread (``caller[0]``) is blocked or has returned.  So whatever that worker
    does after its call (mark the page done, queue the links it found), crawl's thread has run as far as it
    can in between, as in the unluckiest schedule."""

    def __init__(self, learner, caller: list[threading.Thread], lines: int = 40) -> None:
        self.submission = learner.submission
        self.caller = caller
        self.lines = lines
        self._left: dict[int, int] = {}

    def mark(self) -> None:
        self._left[threading.get_ident()] = self.lines

    def unmark(self) -> None:
        self._left.pop(threading.get_ident(), None)

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self._local if self.submission.owns(frame.f_code.co_filename) else None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        me = threading.get_ident()
        if event == "line" and self._left.get(me, 0) > 0:
            self._left[me] -= 1
            settle(self.caller[0], blind=0.02)
        return self._local

    def __enter__(self) -> SettleAfterCall:
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc_info: object) -> None:
        threading.settrace(None)  # type: ignore[arg-type]
        self._left.clear()


def check_threads_finished(outcome, when: str) -> None:
    leaks.expect_finished(
        outcome,
        when,
        function="crawl",
        idea="after the work is done, put one sentinel per worker (or notify them to exit) and join them",
    )


class Down(ConnectionError):
    """The grader's failure of one page: a network error, so that a crawl that catches OSError (or
    ConnectionError) and carries on swallows it too."""


# ---------------------------------------------------------------- task 1 · workers on a queue


@pytest.mark.task(1)
def test_crawl_returns_every_reachable_page(learner):
    graph = {
        "root": ["a", "b", "a", "root"],
        "a": ["c", "d"],
        "b": ["c", "b", "e"],
        "c": ["root", "f"],
        "d": [],
        "e": ["f", "g"],
        "f": ["a"],
        "g": [],
        "unreachable": ["a"],
    }
    for workers in (1, 3):
        with site(graph) as fake:
            outcome = run_crawl(learner, fake, workers)
        check_pages(learner, outcome, fake, graph)


@pytest.mark.task(1)
def test_get_links_is_called_once_per_page_even_when_workers_race(learner):
    # a and b are in flight together and both link to c; then the two workers take turns at every
    # bytecode of the learner's file from the same point, so an unguarded check-then-add sees c as
    # new in both.
    graph = {"root": ["a", "b"], "a": ["c"], "b": ["c"], "c": []}
    gate = Rendezvous(2, timeout=3.0)
    call = called(2) + ", the workers switching at every bytecode of your code"
    with Lockstep(learner.submission) as scheduler:

        def meet(page: str) -> None:
            gate.wait()
            scheduler.line_up(2)

        with site(graph, {"a": meet, "b": meet}) as fake:
            outcome = run_crawl(learner, fake, 2, call=call)
            gate.abort()
    expect_fetched_once(
        fake,
        called=call,
        why="two workers found it at once, both saw it missing from the seen set, and both queued it "
        "(check-then-add without a lock).",
        evidence=[f"{scheduler.handovers} forced thread switches", *fake.log.timeline(until=outcome.elapsed)],
        idea="make the check and the add one step: hold a threading.Lock around `if page not in seen: seen.add`",
    )
    check_pages(learner, outcome, fake, graph)


@pytest.mark.task(1)
def test_up_to_workers_calls_are_in_flight_at_once(learner):
    workers = 4
    gate = Rendezvous(workers, timeout=2.0)
    graph = star("root", 8)
    with site(graph, {page: lambda page: gate.wait() for page in graph["root"]}) as fake:
        outcome = run_crawl(learner, fake, workers)
        gate.abort()
    if not gate.opened:
        raise failure(
            f"With 8 pages waiting, at most {gate.most_waiting} get_links call(s) of {workers} were in flight at "
            "once: the workers fetched one page at a time.",
            called=outcome.called,
            contract="up to `workers` calls in flight whenever that many pages are waiting",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="call get_links outside any lock; each worker fetches on its own",
        )
    check_pages(learner, outcome, fake, graph)


@pytest.mark.task(1)
def test_never_more_than_workers_threads_or_calls(learner):
    workers = 3
    graph = star("root", 30)
    with site(graph) as fake:
        outcome = run_crawl(learner, fake, workers)
    check_pages(learner, outcome, fake, graph)
    if fake.worker_threads() > workers or fake.log.max_in_flight > workers:
        raise failure(
            f"{fake.worker_threads()} different threads called get_links, up to {fake.log.max_in_flight} at once, "
            f"with workers={workers}: never more than `workers` threads or calls (a thread per page?).",
            called=outcome.called,
            contract="never more than `workers` threads or calls",
            idea="start `workers` threads once; each takes pages from the queue until the crawl is done",
        )


# ---------------------------------------------------------------- task 2 · knowing when the crawl is done


@pytest.mark.task(2)
def test_crawl_waits_for_a_busy_worker(learner):
    # b answers at once, and get_links('a') answers only once crawl's own thread is blocked (waiting for the
    # end) or has returned: the queue is empty while a worker is still busy.  Then, before each line that
    # a's worker runs, crawl's thread runs as far as it can: a crawl that can end while a worker has yet to
    # queue what it found (x, whose link is y) ends then, on every run.
    graph = {"root": ["a", "b"], "a": ["x"], "b": [], "x": ["y"], "y": []}
    caller: list[threading.Thread] = []
    b_answered = threading.Event()

    def hook(page: str) -> None:
        pacer.unmark()
        if page == "b":
            b_answered.set()
        if page == "a":
            b_answered.wait(1.0)
            settle(caller[0], looks=SETTLE_LOOKS, every=0.01)
            pacer.mark()

    with SettleAfterCall(learner, caller) as pacer, site(graph, dict.fromkeys(graph, hook)) as fake:
        outcome = run_crawl(learner, fake, 3, caller=caller)
    found = learner.result(outcome)
    never = sorted(set(depths(graph, "root")) - set(fake.log.labels()))
    if never:
        raise failure(
            f"crawl returned {short_repr(found)}, but get_links was never called for {never}: it stopped when the "
            "queue looked empty while a worker was still busy with 'a' (whose links bring 'x', and x's bring 'y').",
            called=outcome.called + ", crawl's thread running as far as it can at each step of a's worker",
            contract="crawl returns only when every reachable page has been crawled",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="an empty queue is not the end: mark a page done only after its links are queued; " + QUEUE_IDEA,
        )
    check_pages(learner, outcome, fake, graph)


@pytest.mark.task(2)
def test_idle_workers_block_instead_of_polling(learner):
    # While a is held, b is done and nothing else waits: the other workers and crawl itself are idle.
    graph = {"root": ["a", "b"], "a": [], "b": []}
    window = []

    def hold(page: str) -> None:
        threading.Event().wait(0.05)  # b's worker goes back to the queue
        window.extend(counter.quiet_window(QUIET))

    with WakeCounter(learner.submission) as counter, site(graph, {"a": hold}) as fake:
        outcome = run_crawl(learner, fake, 3)
    check_pages(learner, outcome, fake, graph)
    expect_idle(
        learner.submission,
        window,
        QUIET,
        situation="get_links('a') was held and no other page was waiting",
        called=outcome.called,
        idea="block in queue.get() (or Condition.wait()); never loop on get_nowait() or empty()",
    )


@pytest.mark.task(2)
def test_every_worker_has_exited_when_crawl_returns(learner):
    graph = {"root": ["a", "b", "c"], "a": ["d"], "b": [], "c": [], "d": []}
    with site(graph) as fake:
        outcome = run_crawl(learner, fake, 3)
    check_pages(learner, outcome, fake, graph)
    check_threads_finished(outcome, "returned")


# ---------------------------------------------------------------- task 3 · stopping on an error


def expect_raised(learner, outcome, error: BaseException, fake: Site, what: str) -> None:
    if outcome.error is not error:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"{what}, but crawl {got}: re-raise the first exception a worker saw, the same object, once every "
            "worker has exited.",
            called=outcome.called,
            contract="if get_links raises, the first exception is re-raised, without hanging",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="catch in the worker, remember the first exception, stop the others, raise it in crawl",
        )


@pytest.mark.task(3)
def test_an_error_in_get_links_is_reraised(learner):
    graph = {"root": ["a", "b", "c"], "a": ["d"], "b": ["e"], "c": [], "d": [], "e": []}
    error = Down("b is down")

    def fail(page: str) -> None:
        raise error

    with site(graph, {"b": fail}) as fake:
        outcome = run_crawl(learner, fake, 2)
    expect_raised(learner, outcome, error, fake, "get_links('b') raised Down('b is down')")
    check_threads_finished(outcome, "raised")


@pytest.mark.task(3)
def test_the_first_of_two_errors_is_reraised(learner):
    # b and c are in flight together; b raises first, and c raises only once b's worker has dealt with b's
    # exception (it has exited, or is blocked: waiting for a page or for the end).
    graph = {"root": ["b", "c"], "b": [], "c": []}
    first, second = Down("b is down"), Down("c is down too")
    both = Rendezvous(2, timeout=2.0)
    b_raised = threading.Event()
    b_worker: list[threading.Thread] = []

    def fail_first(page: str) -> None:
        both.wait()
        b_worker.append(threading.current_thread())
        b_raised.set()
        raise first

    def fail_later(page: str) -> None:
        both.wait()
        if b_raised.wait(GIVE_UP):
            settle(b_worker[0], looks=SETTLE_LOOKS, every=0.01)
        raise second

    with site(graph, {"b": fail_first, "c": fail_later}) as fake:
        outcome = run_crawl(learner, fake, 2)
        both.abort()
    if outcome.error is second:
        raise failure(
            "get_links('b') raised Down('b is down'); later, once b's worker had handled it, get_links('c') raised "
            "Down('c is down too'); crawl raised c's exception: re-raise the first exception seen, not the last.",
            called=outcome.called,
            contract="if get_links raises, the first exception seen is re-raised",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="keep the first exception only (under the lock: `if first is None: first = exc`), raise it in crawl",
        )
    expect_raised(learner, outcome, first, fake, "get_links('b') raised Down('b is down'), then get_links('c') raised")


@pytest.mark.task(3)
def test_an_error_while_iterating_links_is_reraised(learner):
    error = Down("the page broke off")

    class Broken(Site):
        def __call__(self, page: str):
            links = super().__call__(page)
            if page != "a":
                return links

            def lazily():
                yield "c"
                raise error

            return lazily()

    fake = Broken({"root": ["a", "b"], "a": [], "b": [], "c": []})
    try:
        outcome = run_crawl(learner, fake, 2)
    finally:
        fake.release.set()
    expect_raised(learner, outcome, error, fake, "iterating get_links('a') raised Down('the page broke off')")


@pytest.mark.task(3)
def test_after_an_error_workers_take_no_new_page(learner):
    # b fails while a is held in flight; c, d, … wait in the queue and must never be fetched.
    graph = star("root", 10)
    graph["root"] = ["a", "b", *graph["root"]]
    error = Down("b is down")
    # Before a's call returns, b's worker and then crawl's own thread run as far as they can: a crawl that
    # raises while a worker is still inside get_links has raised by then.
    failed = threading.Event()
    failed_at: list[float] = []
    both = Rendezvous(2, timeout=3.0)
    caller: list[threading.Thread] = []
    b_worker: list[threading.Thread] = []
    raised_during_a: list[bool] = []
    a_over = threading.Event()

    def hold(page: str) -> None:
        both.wait()
        if failed.wait(GIVE_UP):
            threading.Event().wait(0.2)  # a finishes a little after b failed
            settle(b_worker[0], looks=SETTLE_LOOKS, every=0.01)
            settle(caller[0], looks=SETTLE_LOOKS, every=0.01)
            raised_during_a.append(not caller[0].is_alive())
        a_over.set()

    def fail(page: str) -> None:
        both.wait()
        b_worker.append(threading.current_thread())
        failed_at.append(fake.log.now())
        failed.set()
        raise error

    with site(graph, {"a": hold, "b": fail}) as fake:
        outcome = run_crawl(learner, fake, 2, caller=caller)
        both.abort()
    expect_raised(learner, outcome, error, fake, "get_links('b') raised Down('b is down')")
    later = [c.label for c in fake.log.calls if failed_at and c.start > failed_at[0]]
    if later:
        raise failure(
            f"After get_links('b') raised, the workers went on to fetch {later}: each worker should finish the "
            "call it is in, take no new page, and exit.",
            called=outcome.called,
            contract="after an error, workers take no new page",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="share a stop flag (threading.Event) that workers check before taking the next page",
        )
    if "a" in fake.log.labels():
        a_over.wait(GIVE_UP)  # a crawl that raised early returned while get_links('a') still ran
    if raised_during_a and raised_during_a[0]:
        raise failure(
            "crawl raised Down('b is down') while another worker was still inside get_links('a'): each worker "
            "finishes the call it is in and exits; only then is the first exception re-raised (no thread left "
            "running behind the raise).",
            called=outcome.called,
            contract="if get_links raises, each worker finishes the call it is in, takes no new page and exits; "
            "then the first exception seen is re-raised",
            evidence=fake.log.timeline(until=outcome.elapsed),
            idea="on an error, stop the workers (sentinels or a stop flag), join every one, then raise",
        )
    check_threads_finished(outcome, "raised")


# Last: a crawl that does not check `workers` hangs with no worker, and a call that hangs keeps every claim
# after it from being graded.
@pytest.mark.task(1)
def test_fewer_than_one_worker_is_a_value_error(learner):
    with site({"root": []}) as fake:
        outcome = run_crawl(
            learner,
            fake,
            0,
            deadline=ZERO_WORKERS_GIVE_UP,
            on_hang=f"{called(0)} did not return within {ZERO_WORKERS_GIVE_UP:g} s: with no worker, nothing ever "
            "takes 'root' from the queue, so the crawl waits for ever. workers < 1 must raise ValueError, before "
            "anything starts.",
        )
    if not isinstance(outcome.error, ValueError):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"{called(0)} {got}; expected ValueError: a crawl needs at least one worker.",
            called=called(0),
            contract="workers < 1 raises ValueError",
            idea="check `if workers < 1: raise ValueError(...)` first, before any queue or thread",
        )
