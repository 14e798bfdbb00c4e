"""Forced interleavings: make a data race or a lock-order deadlock show on every run.

Graders describe *workers* (labelled calls into the learner's object, each run in its own thread)
and an *invariant*; :func:`explore` runs them on fixed bytecode-level schedules, one for each place a
thread switch can fall, and reports the first that breaks the invariant or deadlocks, in the learner's
terms: worker labels instead of thread numbers, the line where a call was paused, the learner's
attribute names instead of lock addresses.

The scheduler is frontrun's, and this module is the only one that imports it.  It replaces
``threading.Lock`` and friends with cooperative versions while a claim explores, so the learner's
module is executed afresh under the patch (``Submission.load_fresh``).  It schedules only the
threads it starts: it fits claims where the grader calls into the learner's object from several
threads, not code that starts its own threads.
"""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import permutations
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

from frontrun import _opcode_observer, bytecode
from frontrun._cooperative import get_context, patch_locks, unpatch_locks
from frontrun._deadlock import DeadlockError
from frontrun._trace_format import TraceRecorder, _get_instruction
from frontrun._tracing import is_cmdline_user_code, is_dynamic_code, should_trace_file
from frontrun.bytecode import OpcodeScheduler, run_with_schedule

from .submission import Submission

S = TypeVar("S")
Kind = Literal["holds", "violated", "deadlock", "inconclusive"]


@dataclass
class Finding(Generic[S]):
    """What the search found; ``interleavings`` counts the runs it took."""

    kind: Kind
    interleavings: int
    evidence: list[str] = field(default_factory=list)
    """The interleaving that broke the invariant, or the deadlock cycle, in the learner's terms."""
    violation: str = ""
    """The invariant's own words for a violation."""

    @property
    def holds(self) -> bool:
        return self.kind == "holds"


@contextmanager
def patched(submission: Submission) -> Iterator[ModuleType]:
    """Cooperative locks in ``threading``/``queue``, and a fresh copy of the learner's module."""
    patch_locks()
    try:
        yield submission.load_fresh()
    finally:
        unpatch_locks()


LONGEST_WORKER = 5000
"""Bytecode steps one worker may take before :func:`explore` stops pausing it (a kata-54 call takes some
100; past this the worker is looping: its run is cut short and reported as not completing)."""


def explore(
    module: ModuleType,
    *,
    setup: Callable[[ModuleType], S],
    workers: dict[str, Callable[[S], object]],
    invariant: Callable[[S], str | None],
    name: str = "",
) -> Finding[S]:
    """Find an interleaving of ``workers`` over fresh states from ``setup(module)`` that breaks ``invariant``.

    Every interleaving with one thread switch inside a call: for every ordered pair of workers (the paused
    one, the one that runs) and every step ``k`` of the paused one, it takes ``k`` bytecode steps, the other
    runs to its end (or until it must wait for the paused one), then everything finishes.  Each run
    follows a fixed schedule of which thread takes each step, so what this finds is found on every run.
    Each race the katas name needs one switch (a lost update, check-then-act, a torn snapshot, a lock-order
    deadlock).  Races that need two switches inside the calls are not searched: frontrun's DPOR, which
    did, varies from run to run (it missed a ``total()`` that locks one account at a time, in both thread
    orders, in 2 of 2 227 explorations under load), and a verdict must not.

    Args:
        module: the learner's module as loaded by :func:`patched`.
        workers: label (e.g. ``"transfer('a', 'b', 1)"``) -> the call that thread makes.
        invariant: checked after all workers finish: None if it holds, else what is wrong, in words.
        name: what to call the state in messages (``"counter"``); locks are named by their path
            from it (``counter._lock``); with ``""`` the path starts at the state's attributes.
    """
    runs = 0

    def run(paused: int, running: int, k: int, burst: int, tail: int, *, record: bool = False) -> _Run[S]:
        nonlocal runs
        runs += 1
        return _Run(module, setup, workers, paused, running).go(k, burst, tail, record=record)

    count = len(workers)
    alone = [run(worker, (worker + 1) % count, LONGEST_WORKER, 0, 0, record=True) for worker in range(count)]
    steps = [run.steps.get(worker, []) for worker, run in enumerate(alone)]  # when it goes first
    for paused, running in permutations(range(count), 2):
        # Room for the running worker's steps and a while waiting for a lock; then the paused one's.  Past
        # these, the scheduler's own round-robin finishes the run (a long tail costs: each entry of a
        # finished thread is skipped one by one, waking the others).
        burst, tail = (min(len(steps[worker]) + 32, LONGEST_WORKER) for worker in (running, paused))
        for k in _pause_points(steps[paused], module.__file__ or ""):
            finding = run(paused, running, k, burst, tail).finding(invariant, runs, name, steps[paused])
            if not finding.holds:
                return finding
    return Finding("holds", runs)


_OWN_FRAME_ONLY = frozenset(
    [
        "LOAD_FAST",
        "LOAD_FAST_CHECK",
        "LOAD_FAST_AND_CLEAR",
        "LOAD_FAST_LOAD_FAST",
        "STORE_FAST",
        "STORE_FAST_LOAD_FAST",
        "STORE_FAST_STORE_FAST",
        "DELETE_FAST",
        "LOAD_CONST",
        "PUSH_NULL",
        "NOP",
        "RESUME",
        "COPY",
        "SWAP",
        "JUMP_FORWARD",
        "JUMP_BACKWARD",
        "JUMP_BACKWARD_NO_INTERRUPT",
        "KW_NAMES",
        "PRECALL",
        "EXTENDED_ARG",
    ]
)
"""Opcodes that touch only the worker's own frame.  Another thread cannot tell whether one of these ran,
so pausing just before one is the same as pausing just after it."""


def _pause_points(steps: list[Step], file: str) -> list[int]:
    """Every ``k`` to pause a worker after, less those that differ from the one before only by a step
    another thread cannot see: an own-frame opcode, or a step of the grader's code around the learner's
    call (it touches only the grader's own bookkeeping)."""
    seen = [step.file == file and step.opname not in _OWN_FRAME_ONLY for step in steps]
    return [k for k in range(len(steps)) if k == 0 or seen[k - 1]]


@dataclass(frozen=True)
class Step:
    """One scheduled step of a worker: the opcode it ran, and where."""

    opname: str
    file: str
    line: int | None


class _Steps(TraceRecorder):
    """Every scheduled step, per worker (frontrun calls this before each step)."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: dict[int, list[Step]] = {}

    def record_from_opcode(self, thread_id: int, frame: Any) -> None:
        instruction = _get_instruction(frame.f_code, frame.f_lasti)
        step = Step(instruction.opname if instruction else "?", frame.f_code.co_filename, frame.f_lineno)
        self.steps.setdefault(thread_id, []).append(step)


class _WaiterPasses(OpcodeScheduler):
    """frontrun's fixed-schedule scheduler, except that a worker which must wait (for a lock another
    holds) gives up the rest of its consecutive steps at once instead of spending them one by one on
    re-tries.  The schedule is as fixed as before; a run costs a fraction (on 3.12 and 3.13 each re-try
    runs frontrun's own Python code under sys.monitoring, about 0.4 ms a step)."""

    def note_blocking_spin(self, thread_id: int, resource_id: int, waiting: bool, *, timed_wait: bool = False) -> None:
        super().note_blocking_spin(thread_id, resource_id, waiting, timed_wait=timed_wait)
        if waiting:
            with self._condition:
                while self._index < len(self.schedule) and self.schedule[self._index] == thread_id:
                    self._index += 1
                self._condition.notify_all()


# The hook runs inside a worker thread, and frontrun schedules every step of code outside the standard
# library and site-packages: its own code must not be scheduled (it would wait for a turn it just gave
# away), so it carries a standard-library file name, which frontrun never traces.
_WaiterPasses.note_blocking_spin.__code__ = _WaiterPasses.note_blocking_spin.__code__.replace(
    co_filename=f"{sysconfig.get_paths()['stdlib']}/<concurrency-katas: a waiter passes its turn>"
)


def _monitoring_callbacks(
    *,
    get_thread_id: Callable[[], int | None],
    on_opcode: Callable[..., object],
    remove_shadow_stack: Callable[[int], object],
    detect_io: bool = False,
    is_active: Callable[[], bool] | None = None,
) -> tuple[Any, Any, Any, Any]:
    """frontrun's sys.monitoring callbacks (3.12+), except that an instruction in a file frontrun never
    schedules (the standard library, frontrun itself) turns its own event off for the rest of the run.

    frontrun's callback returns None there, so every such instruction a worker runs (its scheduler's
    waits, ``threading``'s code) calls back into Python, every time: a run cost 5 to 8 times as much CPU
    on 3.12 as on 3.11, and 3 times as much on 3.13.  Which steps are scheduled does not change, so
    neither does any verdict.
    """
    start, ret, unwind, _ = _frontrun_monitoring_callbacks(
        get_thread_id=get_thread_id,
        on_opcode=on_opcode,
        remove_shadow_stack=remove_shadow_stack,
        detect_io=detect_io,
        is_active=is_active,
    )
    disable = sys.monitoring.DISABLE  # type: ignore[attr-defined]  # 3.12+, the only callers

    def on_instruction(code: Any, offset: int) -> Any:
        # frontrun's handle_instruction, decision for decision, but for the first: it returned None there.
        filename = code.co_filename
        if not should_trace_file(filename):
            return disable
        if is_active is not None and not is_active():
            return None
        frame = sys._getframe(1)  # the instruction's frame: on_opcode records its file and line
        if is_dynamic_code(filename) and not is_cmdline_user_code(filename, frame.f_globals):
            caller = frame.f_back
            if detect_io or caller is None or not should_trace_file(caller.f_code.co_filename):
                return None
        thread_id = get_thread_id()
        if thread_id is not None:
            on_opcode(code, offset, frame, thread_id)
        return None

    return start, ret, unwind, on_instruction


_frontrun_monitoring_callbacks = _opcode_observer.make_monitoring_callbacks


@contextmanager
def _tuned() -> Iterator[None]:
    """While a schedule runs, a waiter passes its turn (:class:`_WaiterPasses`) and an instruction of the
    standard library calls back once, not every time it runs (:func:`_monitoring_callbacks`).  frontrun
    looks both up by name when a run starts, so they are swapped in by name."""
    bytecode.OpcodeScheduler = _WaiterPasses  # type: ignore[misc]
    _opcode_observer.make_monitoring_callbacks = _monitoring_callbacks  # type: ignore[assignment]
    try:
        yield
    finally:
        bytecode.OpcodeScheduler = OpcodeScheduler  # type: ignore[misc]
        _opcode_observer.make_monitoring_callbacks = _frontrun_monitoring_callbacks


class _Run(Generic[S]):
    """One run of the workers on a fixed schedule: ``paused`` takes ``k`` steps, ``running`` up to ``burst``,
    ``paused`` up to ``tail``; then the scheduler goes on round-robin (seeded by the schedule, so still fixed)."""

    def __init__(
        self,
        module: ModuleType,
        setup: Callable[[ModuleType], S],
        workers: dict[str, Callable[[S], object]],
        paused: int,
        running: int,
    ) -> None:
        self.module, self.setup, self.workers = module, setup, workers
        self.paused, self.running = paused, running
        self.state: S | None = None
        self.ended: dict[int, int] = {}
        """worker -> the schedule position when it returned."""
        self.error: Exception | None = None
        self.k = self.burst = 0
        self.steps: dict[int, list[Step]] = {}
        """worker -> each step it took, for a run that goes first with no pause."""

    def go(self, k: int, burst: int, tail: int, *, record: bool = False) -> _Run[S]:
        """Run the schedule; with ``record``, keep every worker's steps."""
        self.k, self.burst = k, burst
        schedule = [self.paused] * k + [self.running] * burst + [self.paused] * tail
        recorder = _Steps() if record else None
        try:
            with _tuned():
                run_with_schedule(
                    schedule,
                    trace_recorder=recorder,
                    setup=self._make,
                    threads=[self._worker(index, call) for index, call in enumerate(self.workers.values())],
                    clock="virtual",
                    detect_io=False,  # the claims' workers do no I/O; patching it costs more than the run
                    timeout=30.0,
                    deadlock_timeout=30.0,  # a cycle of cooperative locks is caught at once; this is a backstop
                )
        except (DeadlockError, TimeoutError) as error:
            self.error = error
        if recorder is not None:
            self.steps = recorder.steps
        return self

    def _make(self) -> S:
        self.state = self.setup(self.module)
        return self.state

    def _worker(self, index: int, call: Callable[[S], object]) -> Callable[[S], None]:
        # Runs under the scheduler, so every step here is a scheduled step too: keep it short and constant.
        def worker(state: S) -> None:
            call(state)
            context = get_context()
            self.ended[index] = context[0]._index if context else LONGEST_WORKER

        return worker

    def finding(self, invariant: Callable[[S], str | None], runs: int, name: str, steps: list[Step]) -> Finding[S]:
        """What this run shows; ``steps`` are the paused worker's, from its run alone."""
        labels = list(self.workers)
        if isinstance(self.error, DeadlockError):
            cycle = [(int(t), int(lock, 16)) for t, lock in _CYCLE.findall(self.error.cycle_description)]
            return Finding("deadlock", runs, _describe_cycle(cycle, labels, lock_names(self.state, name)))
        if self.error is not None:
            return Finding("inconclusive", runs, [f"interleaving {runs} did not complete"])
        problem = invariant(self.state)  # type: ignore[arg-type]  # set by setup, which ran first
        if not problem:
            return Finding("holds", runs)
        paused, running = labels[self.paused], labels[self.running]
        width = max(len(label) for label in labels)
        finished = self.ended.get(self.running, LONGEST_WORKER) <= self.k + self.burst
        story = [
            f"{paused:{width}} | paused {self._paused_at(steps)}",
            f"{running:{width}} | " + ("ran from start to end" if finished else "ran until it had to wait for it"),
            f"{paused:{width}} | went on to the end",
        ]
        return Finding("violated", runs, story, problem)

    def _paused_at(self, steps: list[Step]) -> str:
        """The learner's line the paused worker was about to run."""
        file = self.module.__file__ or ""
        ahead = [step for step in steps[self.k :] if step.file == file]
        if not ahead:
            return "after your code returned"
        if not any(step.file == file for step in steps[: self.k]):
            return "before it started"
        line = ahead[0].line or 0
        return f"at {file.rsplit('/', 1)[-1]}:{line}  {linecache.getline(file, line).strip()}"


_CYCLE = re.compile(r"thread (\d+) -> lock (\S+)")


def _describe_cycle(cycle: list[tuple[int, int]], labels: list[str], names: dict[int, str]) -> list[str]:
    """One line per waiting worker; ``cycle`` is [(worker, id of the lock it waits for)], in order."""
    lines = []
    for index, (thread, lock) in enumerate(cycle):
        holder = cycle[(index + 1) % len(cycle)][0]
        lines.append(f"{labels[thread]} waits for {names.get(lock, 'a lock')}, held by {labels[holder]}")
    return lines


def lock_names(root: object, name: str, depth: int = 3) -> dict[int, str]:
    """id(lock) -> the path the learner's object reaches it by, e.g. ``bank._locks['b']``."""
    found: dict[int, str] = {}

    def visit(value: object, path: str, level: int) -> None:
        if _is_lock(value):
            found.setdefault(id(value), path)
        elif level < depth:
            if isinstance(value, dict):
                for key, item in value.items():
                    visit(item, f"{path}[{key!r}]", level + 1)
            elif isinstance(value, list | tuple):
                for position, item in enumerate(value):
                    visit(item, f"{path}[{position}]", level + 1)
            elif hasattr(value, "__dict__") and not isinstance(value, type | ModuleType):
                for attribute, item in vars(value).items():
                    visit(item, f"{path}.{attribute}".lstrip("."), level + 1)

    visit(root, name, 0)
    return found


def _is_lock(value: object) -> bool:
    kind = type(value).__name__
    return any(word in kind.lower() for word in ("lock", "condition", "semaphore"))
