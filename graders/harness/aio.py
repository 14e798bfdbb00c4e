"""Coroutine counterparts of the harness: a fake async web, an in-loop rendezvous, and loop monitors.

Graders run ``asyncio.run(scenario())`` inside ``learner.run`` (so a hung loop is still a hang
with a stack), and the scenario awaits the learner's coroutine beside these tools:

* :class:`AsyncSite`: ``await get_links(page)`` over a link graph, logging every call, the loop and
  thread it ran on, and whether it was cancelled.
* :class:`AsyncRendezvous`: opens only when ``parties`` coroutines wait in it at once.
* :class:`Heartbeat`: a task that ticks every few milliseconds and records how late the loop let it
  run: evidence of a blocked loop, and a wide backstop.
* :class:`BlockingSpy`: catches ``time.sleep``, ``open``, a lock's ``acquire``, ``Future.result`` and the
  like called on the loop's thread from the learner's file (the structural proof of a blocking call in a
  coroutine), and with ``through_stdlib`` the same waits reached through the standard library's blocking
  calls (``executor.shutdown()``, ``executor.map`` results, ``concurrent.futures.wait``);
  :class:`OpenWatch` says which thread opened a file.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Any, ClassVar

from .inflight import CallLog
from .site import ClaimOver, Graph, Links
from .submission import Submission

AsyncHook = Callable[[str], Awaitable[object]]


class AsyncSite:
    """``async def get_links(page)`` for a link graph, recording every call."""

    def __init__(self, graph: Graph, hooks: dict[str, AsyncHook] | None = None, *, one_shot: bool = False) -> None:
        self.graph = graph
        self.hooks = dict(hooks or {})
        self.one_shot = one_shot
        """Return each page's links as a one-shot :class:`~.site.Links` iterator (an Iterable read once), not a list."""
        self.log = CallLog()
        self.over = False
        """Set when the claim has ended: later calls raise :class:`ClaimOver`."""
        self.loop: asyncio.AbstractEventLoop | None = None
        """The loop the grader runs the crawl on; calls from any other loop are recorded."""
        self.foreign: list[str] = []
        """Calls made on another loop or thread: "get_links('a') on a loop in thread 'Thread-3'"."""

    async def __call__(self, page: str) -> Iterable[str]:
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
            links = list(self.graph.get(page, []))
            return Links(links) if self.one_shot else links

    def fetches(self) -> Counter[str]:
        return Counter(self.log.labels())

    def fetched_twice(self) -> list[str]:
        return sorted(page for page, n in self.fetches().items() if n > 1)

    def cancelled(self) -> list[str]:
        return [c.label for c in self.log.calls if c.outcome == "raised CancelledError"]


async def forever(page: str) -> None:
    """A hook: the call never returns (until cancelled)."""
    await asyncio.Event().wait()


class SlowToCancel:
    """A hook: the call never returns; cancelled, it cleans up over several loop turns and a short sleep, then
    re-raises, as a real client closing its connection would.  A caller that cancels its tasks without awaiting
    them (``task.cancel()`` then ``await asyncio.sleep(0)``) finds the call still running."""

    CLEANUP = 0.02
    """Seconds the clean-up sleeps, after its loop turns."""

    def __init__(self) -> None:
        self.cleaning: list[str] = []
        """Pages whose call got the cancellation (and started cleaning up)."""

    async def __call__(self, page: str) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cleaning.append(page)
            for _ in range(3):
                await asyncio.sleep(0)
            await asyncio.sleep(self.CLEANUP)
            raise


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
                async with asyncio.timeout(self.timeout):  # not wait_for: on 3.11 it can swallow a cancel
                    await self._event.wait()
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


def _blocking_functions() -> dict[Any, str]:
    import concurrent.futures
    import queue

    return {
        concurrent.futures.Future.result.__code__: "Future.result()",
        threading.Thread.join.__code__: "Thread.join()",
        threading.Event.wait.__code__: "Event.wait()",
        queue.Queue.get.__code__: "queue.Queue.get()",
    }


def _file_system_functions() -> tuple[dict[Any, str], dict[Any, str]]:
    """File-system calls that raise no ``open`` audit event (a stat): Python functions by code object, and
    built-in functions."""
    import genericpath
    import pathlib

    python: dict[Any, str] = {}
    for module, names in ((genericpath, ("exists", "isfile", "isdir", "getsize", "getmtime")), (os.path, ("lexists",))):
        for name in names:
            code = getattr(getattr(module, name, None), "__code__", None)
            if code is not None:
                python[code] = f"os.path.{name}()"
    for name in ("stat", "lstat", "exists", "is_file", "is_dir"):
        code = getattr(getattr(pathlib.Path, name, None), "__code__", None)
        if code is not None:
            python[code] = f"Path.{name}()"
    builtins = {getattr(os, name): f"os.{name}()" for name in ("stat", "lstat", "access", "listdir", "scandir")}
    return python, builtins


def _stdlib_entry_points() -> dict[Any, str]:
    """The standard library's own blocking calls whose waits count as the caller's, by code object."""
    from concurrent.futures import _base, process, thread

    entries: dict[Any, str] = {
        thread.ThreadPoolExecutor.shutdown.__code__: "executor.shutdown(wait=True)",
        process.ProcessPoolExecutor.shutdown.__code__: "executor.shutdown(wait=True)",
        _base.Executor.__exit__.__code__: "the end of a `with executor:` block",
        _base.wait.__code__: "concurrent.futures.wait()",
        _base.as_completed.__code__: "concurrent.futures.as_completed()",
    }
    for const in _base.Executor.map.__code__.co_consts:
        if isinstance(const, CodeType) and const.co_name == "result_iterator":  # the generator map returns
            entries[const] = "the results of executor.map()"
    result_or_cancel = getattr(_base, "_result_or_cancel", None)
    if result_or_cancel is not None:
        entries[result_or_cancel.__code__] = "the results of executor.map()"
    return entries


_STDLIB = os.path.dirname(threading.__file__) + os.sep
_THREAD_START = threading.Thread.start.__code__


def _in_stdlib(filename: str) -> bool:
    return (filename.startswith(_STDLIB) and "site-packages" not in filename) or filename.startswith("<frozen")


def busy(thread: threading.Thread | None) -> bool:
    """Whether ``thread`` is alive and running code outside the standard library (the learner's or the
    grader's): a pool thread waiting for work, or a thread on its way out, is not busy."""
    if thread is None or thread.ident is None:
        return False
    frame: FrameType | None = sys._current_frames().get(thread.ident)
    while frame is not None:
        if not _in_stdlib(frame.f_code.co_filename):
            return True
        frame = frame.f_back
    return False


def _can_wait(name: str, frame: FrameType) -> bool:
    """False when the wait's arguments say it returns at once: ``block=False`` or ``timeout=0``."""
    arguments = frame.f_locals
    if name == "queue.Queue.get()" and not arguments.get("block", True):
        return False
    timeout = arguments.get("timeout")
    try:
        return timeout is None or timeout > 0
    except TypeError:
        return True


@dataclass
class Wait:
    """A blocking wait :class:`BlockingSpy` saw on the loop's thread."""

    name: str
    """``Thread.join()``, ``Future.result()``, ``Event.wait()``, ``queue.Queue.get()``."""
    where: str
    """The learner's line that waited: ``kata62_bridge.py:88 `thread.join()```."""
    via: str = ""
    """The standard library's blocking call the learner made, when the wait was inside it."""
    blocks: bool = True
    """False when its arguments say it could not wait (``block=False``, ``timeout=0``)."""

    def __str__(self) -> str:
        return f"{self.name}{f' inside {self.via}' if self.via else ''} at {self.where}"


class BlockingSpy:
    """Records blocking calls the learner's code makes on the thread that enters it (the loop's).

    Seen by ``sys.setprofile``: ``time.sleep``, ``open``, a ``threading`` lock's ``acquire`` called from
    the learner's file, and calls from it into ``Future.result``, ``Thread.join``, ``Event.wait`` and
    ``queue.Queue.get``: each one stops every coroutine on the loop while it waits.

    With ``through_stdlib``, it also records those waits when the learner's line reached them through one
    of the standard library's blocking calls (``executor.shutdown(wait=True)`` or the end of a ``with
    executor:`` block joining a thread that still runs code, ``executor.map``'s results,
    ``concurrent.futures.wait`` or ``as_completed``), in :attr:`waits` and, as text, in :attr:`calls`.
    Waits inside other standard-library calls (``Thread.start`` waiting for the thread to start) are
    not recorded.
    """

    def __init__(self, submission: Submission, *, through_stdlib: bool = False, file_system: bool = False) -> None:
        self.submission = submission
        self.calls: list[str] = []
        self.waits: list[Wait] = []
        """Waits on a thread, a future, an event or a queue (time.sleep, open and locks are only in calls)."""
        self.file_calls: list[str] = []
        """With ``file_system``: stat-like calls (``os.path.exists``, ``os.stat``, ``Path.stat``…) made from the
        learner's file: file-system I/O with no ``open`` (kept apart from :attr:`calls`)."""
        self._python = _blocking_functions()
        self._entries = _stdlib_entry_points() if through_stdlib else {}
        self._file_python, self._file_builtins = _file_system_functions() if file_system else ({}, {})

    def _where(self, frame: FrameType) -> str:
        line = frame.f_lineno
        return f"{self.submission.path.name}:{line} `{self.submission.source_line(line)}`"

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and self.submission.owns(frame.f_code.co_filename):
            name = _blocking_builtin(arg)
            if name:
                self.calls.append(f"{name} at {self._where(frame)}")
            elif self._file_builtins:
                try:
                    name = self._file_builtins.get(arg)
                except TypeError:  # an unhashable callable
                    name = None
                if name:
                    self.file_calls.append(f"{name} at {self._where(frame)}")
        elif event == "call" and frame.f_code in self._file_python:
            caller = frame.f_back
            if caller is not None and self.submission.owns(caller.f_code.co_filename):
                self.file_calls.append(f"{self._file_python[frame.f_code]} at {self._where(caller)}")
        elif event == "call" and frame.f_code in self._python:
            name = self._python[frame.f_code]
            caller = frame.f_back
            if caller is not None and self.submission.owns(caller.f_code.co_filename):
                self.calls.append(f"{name} at {self._where(caller)}")
                self.waits.append(Wait(name, self._where(caller), blocks=_can_wait(name, frame)))
            elif self._entries and caller is not None:
                self._through_stdlib(name, frame, caller)

    def _through_stdlib(self, name: str, frame: FrameType, caller: FrameType) -> None:
        via = ""
        current: FrameType | None = caller
        for _ in range(12):
            if current is None or not _in_stdlib(current.f_code.co_filename):
                break
            if current.f_code is _THREAD_START:
                return  # a new thread's start-up handshake (every executor's submit starts threads)
            via = self._entries.get(current.f_code, via)
            current = current.f_back
        if current is None or not via or not self.submission.owns(current.f_code.co_filename):
            return
        if not _can_wait(name, frame):
            return
        if name == "Thread.join()" and not busy(frame.f_locals.get("self")):
            return  # an idle pool thread (or one on its way out) ends at once
        wait = Wait(name, self._where(current), via=via)
        self.waits.append(wait)
        self.calls.append(str(wait))

    def __enter__(self) -> BlockingSpy:
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info: object) -> None:
        sys.setprofile(None)


def _blocking_builtin(function: Any) -> str | None:
    if function is time.sleep:
        return "time.sleep()"
    if function is open:
        return "open()"
    owner = type(getattr(function, "__self__", None))
    if getattr(function, "__name__", "") in ("acquire", "__enter__") and owner.__module__ in ("_thread", "threading"):
        return f"threading.{owner.__name__.lstrip('_').replace('lock', 'Lock')}.{function.__name__}()"
    return None


class OpenWatch:
    """Which threads opened ``path`` (an audit hook: catches ``open``, ``pathlib``, ``os.open``)."""

    _active: ClassVar[list[OpenWatch]] = []

    def __init__(self, path: str) -> None:
        self.path = path
        self.threads: list[int] = []

    def __enter__(self) -> OpenWatch:
        OpenWatch._active.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        OpenWatch._active.remove(self)


def _audit_open(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and OpenWatch._active:
        for watch in OpenWatch._active:
            if args and str(args[0]) == watch.path:
                watch.threads.append(threading.get_ident())


sys.addaudithook(_audit_open)


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


class RecordingLoop(asyncio.SelectorEventLoop):
    """An event loop that notices callbacks scheduled from another thread with plain ``call_soon``.

    That is what ``asyncio.Queue.put_nowait`` or ``Future.set_result`` do when a worker thread calls
    them: not thread-safe (the loop may sleep on, or its deque be changed under it).  The loop records
    who did it and wakes itself, so the claim can report the mistake instead of hanging on it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.foreign: list[str] = []

    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:
        owner = getattr(self, "_thread_id", None)
        if owner is not None and threading.get_ident() != owner:
            name = getattr(callback, "__qualname__", repr(callback))
            self.foreign.append(f"{name} scheduled from thread {threading.current_thread().name!r}")
            handle = super().call_soon(callback, *args, context=context)
            self._write_to_self()  # type: ignore[attr-defined]
            return handle
        return super().call_soon(callback, *args, context=context)


class LoopThread:
    """An event loop running forever in a daemon thread of its own (``with LoopThread() as (loop, thread)``)."""

    def __init__(self) -> None:
        self.loop = RecordingLoop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="grader-loop", daemon=True)

    def __enter__(self) -> LoopThread:
        self.thread.start()
        while not self.loop.is_running():
            time.sleep(0.001)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(2.0)
        if not self.thread.is_alive() and not self.loop.is_running():
            self.loop.close()
