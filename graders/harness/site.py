"""A fake web for the crawl katas (56, 58, 59, 60): a link graph behind a recording ``get_links``.

``Site(graph)`` is callable as ``get_links(page)``; it logs every call (which page, which thread,
when, how many in flight) and can run a grader's hook before answering a page: block on an event,
meet at a rendezvous, raise.  ``site.release`` is set when the claim ends: no fake call stays
blocked, and any later call raises :class:`ClaimOver`, so a crawl stuck in a loop ends.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .inflight import CallLog
from .messages import failure, short_repr

Graph = dict[str, list[str]]


class ClaimOver(BaseException):
    """Raised by ``get_links`` once the claim has ended: stops a crawl that would otherwise run on forever
    (a BaseException, so that the learner's ``except Exception`` does not swallow it)."""


class Links:
    """What ``get_links`` returns: the page's links as a one-shot iterator, as a generator would give them (the
    contract's type is ``Iterable[str]``: a crawl that reads one result twice, or takes its ``len``, is wrong).
    Counts how often ``iter()`` was called on it."""

    def __init__(self, links: Iterable[str]) -> None:
        self._links = iter(list(links))
        self.iterations = 0

    def __iter__(self) -> Links:
        self.iterations += 1
        return self

    def __next__(self) -> str:
        return next(self._links)

    def __repr__(self) -> str:
        return "<links iterator>"


class Site:
    """``get_links`` for a link graph, recording every call."""

    def __init__(self, graph: Graph, hooks: dict[str, Callable[[str], object]] | None = None) -> None:
        self.graph = graph
        self.hooks = dict(hooks or {})
        """page → called (in the calling thread) before that page's links are returned."""
        self.log = CallLog()
        self.release = threading.Event()
        self.returned: list[tuple[str, Links]] = []
        """Each page fetched and the iterator its call returned."""
        self.callers: dict[int, threading.Thread] = {}
        """Each thread that called ``get_links``, by ``id``: the objects are kept alive, so that a thread that
        ended cannot pass its ident (which CPython reuses) or its id on to the next one."""

    def __call__(self, page: str) -> Iterable[str]:
        if self.release.is_set():
            raise ClaimOver("the claim has ended")
        caller = threading.current_thread()
        self.callers[id(caller)] = caller
        with self.log.record(page):
            hook = self.hooks.get(page)
            if hook is not None:
                hook(page)
            links = Links(self.graph.get(page, []))
            self.returned.append((page, links))
            return links

    def fetches(self) -> Counter[str]:
        return Counter(self.log.labels())

    def fetched_twice(self) -> list[str]:
        return sorted(page for page, n in self.fetches().items() if n > 1)

    def read_twice(self) -> list[str]:
        """Pages whose links the crawl iterated more than once (``iter()`` called again on the same result), in
        the order they were fetched."""
        return list(dict.fromkeys(page for page, links in self.returned if links.iterations > 1))

    def worker_threads(self) -> int:
        """How many threads other than the learner's calling thread called ``get_links``."""
        return sum(thread.name != "learner-call" for thread in self.callers.values())


@contextmanager
def site(graph: Graph, hooks: dict[str, Callable[[str], object]] | None = None) -> Iterator[Site]:
    fake = Site(graph, hooks)
    try:
        yield fake
    finally:
        fake.release.set()


def depths(graph: Graph, root: str, max_depth: int | None = None) -> dict[str, int]:
    """The model: every page reachable from ``root`` within ``max_depth`` links, at its shortest depth."""
    found = {root: 0}
    frontier = deque([root])
    while frontier:
        page = frontier.popleft()
        if max_depth is not None and found[page] >= max_depth:
            continue
        for link in graph.get(page, []):
            if link not in found:
                found[link] = found[page] + 1
                frontier.append(link)
    return found


def chain(count: int) -> Graph:
    """``count`` pages, root -> p1 -> p2 -> … -> p<count-1>, each linking only to the next."""
    pages = ["root", *(f"p{i}" for i in range(1, count))]
    graph: Graph = {page: [nxt] for page, nxt in itertools.pairwise(pages)}
    graph[pages[-1]] = []
    return graph


def star(root: str, count: int) -> Graph:
    """``root`` linking to ``count`` leaf pages p00, p01, …"""
    return {root: [f"p{i:02d}" for i in range(count)]}


def expect_reachable(found: object, graph: Graph, *, called: str, fake: Site, idea: str) -> None:
    """Fail the claim unless ``found`` is the set of pages reachable from ``"root"``."""
    expected = set(depths(graph, "root"))
    if not isinstance(found, set | frozenset) and set(found or ()) == expected:  # type: ignore[call-overload]
        raise failure(
            f"crawl returned the right pages, but as a {type(found).__name__}: the contract says a set.",
            called=called,
            contract="crawl returns set[str]: every page reachable from root, root included",
            evidence=[f"returned {short_repr(found, 100)}"],
            idea=idea,
        )
    if found != expected:
        missing = sorted(expected - set(found or ()))  # type: ignore[call-overload]
        raise failure(
            f"crawl returned {short_repr(found, 100)}; every reachable page is {sorted(expected)}"
            + (f" (missing: {missing})." if missing else "."),
            called=called,
            contract="every page reachable from root, root included",
            evidence=[f"get_links called for: {fake.log.labels()}", *read_twice_evidence(fake)],
            idea=idea,
        )


def read_twice_evidence(fake: Site | Any) -> list[str]:
    """An evidence line if the crawl iterated one ``get_links`` result more than once (``fake``: a :class:`Site`
    or anything else, which gives none)."""
    pages = fake.read_twice() if isinstance(fake, Site) else []
    if not pages:
        return []
    return [
        f"the links get_links returned for {pages[0]!r} were iterated more than once: get_links returns an "
        "Iterable, which may be an iterator (a generator) that can be read only once; read it once, e.g. "
        "links = list(get_links(page))"
    ]


def expect_fetched_once(fake: Site | Any, *, called: str, why: str, evidence: list[str], idea: str) -> None:
    """Fail the claim if any page was fetched more than once (``fake``: a :class:`Site` or an ``AsyncSite``).

    Args:
        why: how a second fetch comes about in this kata, in the learner's terms.
    """
    twice = fake.fetched_twice()
    if twice:
        raise failure(
            f"{twice[0]!r} was fetched twice ({fake.fetches()[twice[0]]} get_links calls): {why}",
            called=called,
            contract="get_links is called exactly once per reachable page",
            evidence=evidence,
            idea=idea,
        )
