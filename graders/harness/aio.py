"""Coroutine counterparts of the harness: a fake async web, an in-loop rendezvous, and loop monitors.

Graders run ``asyncio.run(scenario())`` inside ``learner.run`` (so a hung loop is still a hang
with a stack), and the scenario awaits the learner's coroutine beside these tools:

* :class:`AsyncSite`: ``await get_links(page)`` over a link graph, logging every call, the loop and
  thread it ran on, and whether it was cancelled.
* :class:`AsyncRendezvous`: opens only when ``parties`` coroutines wait in it at once.
* :class:`Heartbeat`: a task that ticks every few milliseconds and records how late the loop let it
  run: evidence of a blocked loop, and a wide backstop.
* :class:`SleepSpy`: catches ``time.sleep`` called on the loop's thread from the learner's file (the
  structural proof of a blocking call in a coroutine).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

from .inflight import CallLog
from .site import ClaimOver, Graph
from .submission import Submission

AsyncHook = Callable[[str], Awaitable[object]]


class AsyncSite:
    """``async def get_links(page)`` for a link graph, recording every call."""

    def __init__(self, graph: Graph, hooks: dict[str, AsyncHook] | None = None) -> None:
        self.graph = graph
        self.hooks = dict(hooks or {})
        self.log = CallLog()
        self.over = False
        """Set when the claim has ended: later calls raise :class:`ClaimOver`."""
        self.loop: asyncio.AbstractEventLoop | None = None
        """The loop the grader runs the crawl on; calls from any other loop are recorded."""
        self.foreign: list[str] = []
        """Calls made on another loop or thread: "get_links('a') on a loop in thread 'Thread-3'"."""

    async def __call__(self, page: str) -> list[str]:
        if self.over:
            raise ClaimOver("the claim has ended")
        running = asyncio.get_running_loop()
        if self.loop is not None and running is not self.loop:
            self.foreign.append(
                f"get_links({page!r}) ran on another event loop, in thread {threading.current_thread().name!r}"
            )
        with self.log.record(page):
            hook = self.hooks.get(page)
            if hook is not None:
                await hook(page)
            await asyncio.sleep(0)
            return list(self.graph.get(page, []))

    def fetches(self) -> Counter[str]:
        return Counter(self.log.labels())

    def fetched_twice(self) -> list[str]:
        return sorted(page for page, n in self.fetches().items() if n > 1)

    def cancelled(self) -> list[str]:
        return [c.label for c in self.log.calls if c.outcome == "raised CancelledError"]


async def forever(page: str) -> None:
    """A hook: the call never returns (until cancelled)."""
    await asyncio.Event().wait()


class AsyncRendezvous:
    """Opens when ``parties`` coroutines wait at once; breaks for good after ``timeout`` seconds."""

    def __init__(self, parties: int, timeout: float) -> None:
        self.parties = parties
        self.timeout = timeout
        self.waiting = 0
        self.most_waiting = 0
        self.opened = False
        self._event: asyncio.Event | None = None

    async def wait(self, page: str = "") -> bool:
        if self._event is None:
            self._event = asyncio.Event()
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        try:
            if self.waiting >= self.parties:
                self.opened = True
                self._event.set()
            try:
                await asyncio.wait_for(self._event.wait(), self.timeout)
            except TimeoutError:
                self._event.set()  # broken: everyone after passes straight through
            return self.opened
        finally:
            self.waiting -= 1


class Heartbeat:
    """A task that ticks every ``interval`` seconds and keeps the worst lateness and when it happened."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.worst = 0.0
        self.worst_at = 0.0
        self.origin = time.perf_counter()
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            late = time.perf_counter() - before - self.interval
            if late > self.worst:
                self.worst, self.worst_at = late, before - self.origin

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._beat(), name="grader-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def describe(self) -> str:
        return f"the loop's heartbeat was {self.worst:.2f} s late at {self.worst_at:.2f} s"


class SleepSpy:
    """Records ``time.sleep`` calls made from the learner's file on the thread that enters it."""

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self.calls: list[str] = []

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and arg is time.sleep and self.submission.owns(frame.f_code.co_filename):
            line = frame.f_lineno
            self.calls.append(f"{self.submission.path.name}:{line} `{self.submission.source_line(line)}`")

    def __enter__(self) -> SleepSpy:
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info: object) -> None:
        sys.setprofile(None)


def tasks_left(before: set[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
    """Tasks of the running loop created since ``before`` that have not finished."""
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t not in before and t is not current and not t.done()]


def describe_task(task: asyncio.Task[Any], submission: Submission) -> str:
    """``task 'Task-7' waiting at kata60_coroutines.py:31 `await get_links(page)```."""
    frames = [f for f in task.get_stack() if submission.owns(f.f_code.co_filename)]
    if not frames:
        return f"task {task.get_name()!r}"
    line = frames[-1].f_lineno
    return f"task {task.get_name()!r} waiting at {submission.path.name}:{line} `{submission.source_line(line)}`"
