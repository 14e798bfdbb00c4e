"""Forced interleavings: make a data race or a lock-order deadlock show on every run.

Graders describe *workers* (labelled calls into the learner's object, each run in its own thread)
and an *invariant*; :func:`explore` runs them under a deterministic bytecode-level scheduler that
tries every distinct interleaving up to a preemption bound, and reports the first that breaks the
invariant or deadlocks, in the learner's terms: worker labels instead of thread numbers, the
learner's attribute names instead of lock addresses.

The scheduler is frontrun's (DPOR), and this module is the only one that imports it.  It replaces
``threading.Lock`` and friends with cooperative versions while a claim explores, so the learner's
module is executed afresh under the patch (``Submission.load_fresh``).  It schedules only the
threads it starts: it fits claims where the grader calls into the learner's object from several
threads, not code that starts its own threads.
"""

from __future__ import annotations

import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import permutations
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

import frontrun
from frontrun._cooperative import get_context, patch_locks, unpatch_locks
from frontrun._deadlock import DeadlockError
from frontrun._trace_format import TraceRecorder, _get_instruction
from frontrun.bytecode import run_with_schedule

from .submission import Submission

S = TypeVar("S")
Kind = Literal["holds", "violated", "deadlock", "inconclusive"]


@dataclass
class Finding(Generic[S]):
    """What the exploration found."""

    kind: Kind
    interleavings: int
    evidence: list[str] = field(default_factory=list)
    """The interleaving that broke the invariant, or the deadlock cycle, in the learner's terms."""
    violation: str = ""
    """The invariant's own message (its ``AssertionError`` text) for a violation."""

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


def explore(
    module: ModuleType,
    *,
    setup: Callable[[ModuleType], S],
    workers: dict[str, Callable[[S], object]],
    invariant: Callable[[S], str | None],
    name: str = "",
    max_executions: int = 400,
    timeout: float = 20.0,
) -> Finding[S]:
    """Find an interleaving of ``workers`` over fresh states from ``setup(module)`` that breaks ``invariant``.

    Two searches.  First :func:`switch_once`, exhaustive and deterministic for every race that needs one
    thread switch: that covers each race the katas name (a lost update, check-then-act, a torn snapshot, a
    lock-order deadlock), so those fail on every run.  If that holds, frontrun's DPOR looks for races that
    need more switches.  DPOR alone is not enough: its search varies from run to run (measured: it missed a
    ``total()`` that locks one account at a time, in both thread orders, in 2 of 2 227 explorations under
    load), so it only adds.

    Args:
        module: the learner's module as loaded by :func:`patched`.
        workers: label (e.g. ``"transfer('a', 'b', 1)"``) -> the call that thread makes.
        invariant: checked after all workers finish: None if it holds, else what is wrong, in words.
        name: what to call the state in messages (``"counter"``); locks are named by their path
            from it (``counter._lock``); with ``""`` the path starts at the state's attributes.
        timeout: seconds for the DPOR search; when they run out, the interleavings explored so far decide.
            The single-switch search is not cut short (the workers' steps bound it).
    """
    finding = switch_once(module, setup=setup, workers=workers, invariant=invariant, name=name)
    if not finding.holds:
        return finding
    deeper = _dpor(module, setup, workers, invariant, name, max_executions, timeout)
    deeper.interleavings += finding.interleavings
    return deeper


LONGEST_WORKER = 5000
"""Bytecode steps one worker may take before :func:`switch_once` stops pausing it (a kata-54 call takes
some 100; past this the worker is looping, and DPOR and the claim's deadline take over)."""


def switch_once(
    module: ModuleType,
    *,
    setup: Callable[[ModuleType], S],
    workers: dict[str, Callable[[S], object]],
    invariant: Callable[[S], str | None],
    name: str = "",
) -> Finding[S]:
    """Pause one worker before each of its bytecode steps in turn, let another run meanwhile, then finish all.

    For every ordered pair of workers (the paused one, the one that runs) and every step ``k`` of the paused
    one: it takes ``k`` steps, the other runs to its end (or until it must wait for the paused one), then
    everything finishes.  Each run follows a fixed schedule of which thread takes each step, so what this
    finds is found on every run, and the evidence says where the paused worker stood.
    """
    runs = 0

    def run(paused: int, running: int, k: int, burst: int, tail: int) -> _Run[S]:
        nonlocal runs
        runs += 1
        return _Run(module, setup, workers, paused, running).go(k, burst, tail)

    count = len(workers)
    alone = [run(worker, (worker + 1) % count, LONGEST_WORKER, 0, 0) for worker in range(count)]
    opnames = [run.opnames.get(worker, []) for worker, run in enumerate(alone)]  # when it goes first
    for paused, running in permutations(range(count), 2):
        # Room for the running worker's steps and a while waiting for a lock; then the paused one's.  Past
        # these, the scheduler's own round-robin finishes the run (a long tail costs: each entry of a
        # finished thread is skipped one by one, waking the others).
        burst, tail = (min(len(opnames[worker]) + 32, LONGEST_WORKER) for worker in (running, paused))
        for k in _pause_points(opnames[paused]):
            finding = run(paused, running, k, burst, tail).finding(invariant, runs, name)
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


def _pause_points(opnames: list[str]) -> list[int]:
    """Every ``k`` to pause a worker after, less those that only differ by an own-frame step."""
    return [k for k in range(len(opnames)) if k == 0 or opnames[k - 1] not in _OWN_FRAME_ONLY]


class _Steps(TraceRecorder):
    """The opcode of every scheduled step, per worker (frontrun calls this before each step)."""

    def __init__(self) -> None:
        super().__init__()
        self.opnames: dict[int, list[str]] = {}

    def record_from_opcode(self, thread_id: int, frame: Any) -> None:
        instruction = _get_instruction(frame.f_code, frame.f_lasti)
        self.opnames.setdefault(thread_id, []).append(instruction.opname if instruction else "?")


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
        self.states: list[S] = []
        self.idents: dict[int, int] = {}
        self.ended: dict[int, int] = {}
        """worker -> the schedule position when it returned."""
        self.paused_stack: list[traceback.FrameSummary] = []
        self.error: Exception | None = None
        self.k = self.burst = 0
        self.opnames: dict[int, list[str]] = {}
        """worker -> the opcode of each step it took, for a run that goes first with no pause."""

    def go(self, k: int, burst: int, tail: int) -> _Run[S]:
        self.k, self.burst = k, burst
        schedule = [self.paused] * k + [self.running] * burst + [self.paused] * tail
        steps = _Steps() if k == LONGEST_WORKER else None
        try:
            run_with_schedule(
                schedule,
                trace_recorder=steps,
                setup=self._make,
                threads=[self._worker(index, call) for index, call in enumerate(self.workers.values())],
                clock="virtual",
                detect_io=False,  # the claims' workers do no I/O; patching it costs more than the run
                timeout=30.0,
                deadlock_timeout=30.0,  # a cycle of cooperative locks is caught at once; this is a backstop
            )
        except (DeadlockError, TimeoutError) as error:
            self.error = error
        if steps is not None:
            self.opnames = steps.opnames
        return self

    def _make(self) -> S:
        self.states.append(self.setup(self.module))
        return self.states[-1]

    def _worker(self, index: int, call: Callable[[S], object]) -> Callable[[S], None]:
        # Runs under the scheduler, so every step here is a scheduled step too: keep it short and constant.
        def worker(state: S) -> None:
            self.idents[index] = threading.get_ident()
            if index == self.running:
                frame = sys._current_frames().get(self.idents.get(self.paused, 0))
                self.paused_stack = traceback.extract_stack(frame) if frame else []
            call(state)
            context = get_context()
            self.ended[index] = context[0]._index if context else LONGEST_WORKER

        return worker

    def finding(self, invariant: Callable[[S], str | None], runs: int, name: str) -> Finding[S]:
        labels = list(self.workers)
        if isinstance(self.error, DeadlockError):
            cycle = [(int(t), int(lock, 16)) for t, lock in _CYCLE.findall(self.error.cycle_description)]
            return Finding("deadlock", runs, _describe_cycle(cycle, labels, self.states, name))
        if self.error is not None:
            return Finding("inconclusive", runs, [f"interleaving {runs} did not complete"])
        problem = invariant(self.states[-1])
        if not problem:
            return Finding("holds", runs)
        paused, running = labels[self.paused], labels[self.running]
        width = max(len(label) for label in labels)
        finished = self.ended.get(self.running, LONGEST_WORKER) <= self.k + self.burst
        story = [
            f"{paused:{width}} | paused {self._paused_at()}",
            f"{running:{width}} | " + ("ran from start to end" if finished else "ran until it had to wait for it"),
            f"{paused:{width}} | went on to the end",
        ]
        return Finding("violated", runs, story, problem)

    def _paused_at(self) -> str:
        """The learner's line the paused worker was about to run."""
        if self.paused in self.ended and self.ended[self.paused] <= self.k:
            return "after it returned"
        own = [entry for entry in self.paused_stack if entry.filename == self.module.__file__]
        if not own:
            return "before it reached your code" if self.k < LONGEST_WORKER else "outside your code"
        return f"at {_file_of(self.module)}:{own[-1].lineno}  {(own[-1].line or '').strip()}"


def _dpor(
    module: ModuleType,
    setup: Callable[[ModuleType], S],
    workers: dict[str, Callable[[S], object]],
    invariant: Callable[[S], str | None],
    name: str,
    max_executions: int,
    timeout: float,
) -> Finding[S]:
    """One DPOR exploration, with the workers numbered in the order given."""
    labels = list(workers)
    states: list[S] = []

    def make() -> S:
        states.append(setup(module))
        return states[-1]

    check = _checker(invariant)
    result = frontrun.explore(
        setup=make,
        workers=list(workers.values()),
        invariant=check,
        strategy="dpor",
        # A virtual clock: with the real one, DPOR cannot finish a plain ``while busy: cond.wait()`` that
        # another thread ends with notify_all() (the waiter's execution times out as inconclusive), and
        # sleeps or timed acquires would cost wall time.  Virtual time moves only when no thread can run.
        clock="virtual",
        max_executions=max_executions,
        reproduce_on_failure=2,
        total_timeout=timeout,
        timeout_per_run=max(5.0, timeout / 4),  # one interleaving: seconds even on a loaded machine
    )
    explanation = result.explanation or ""
    if result.property_holds:
        return Finding("holds", result.num_explored)
    if result.property_holds is None:
        reason = result.inconclusive_reason or explanation
        stuck = re.search(r"execution (\d+) timed out", reason)
        return Finding(
            "inconclusive",
            result.num_explored,
            [f"interleaving {stuck[1]} did not complete" if stuck else "an interleaving did not complete"],
        )
    if explanation.startswith("Deadlock"):
        cycle = _deadlock_cycle(make, workers, check, explanation)
        return Finding("deadlock", result.num_explored, _describe_cycle(cycle, labels, states, name))
    violation, trace = _split_violation(explanation)
    return Finding("violated", result.num_explored, _translate_trace(trace, labels, _file_of(module)), violation)


def _checker(invariant: Callable[[S], str | None]) -> Callable[[S], bool]:
    def check(state: S) -> bool:
        problem = invariant(state)
        if problem:
            raise AssertionError(problem)
        return True

    return check


def _file_of(module: ModuleType) -> str:
    return module.__file__.rsplit("/", 1)[-1] if module.__file__ else ""


def _split_violation(explanation: str) -> tuple[str, list[str]]:
    """(the invariant's words, the trace lines after them)."""
    head, _, trace = explanation.partition("\n\n")
    if head.startswith("AssertionError: "):
        return head.removeprefix("AssertionError: ").strip(), trace.splitlines()
    return "", explanation.splitlines()


_STEP = re.compile(r"^\s*Thread (\d+) \| (\S+?):(\d+)\s+(.*)$")
_ACCESS = re.compile(r"^\s+\| (\[.*\])$")


def _translate_trace(lines: list[str], labels: list[str], file: str) -> list[str]:
    """frontrun's trace, kept to the learner's own lines, with worker labels for thread numbers."""
    width = max(len(label) for label in labels)
    out: list[str] = []
    keep, previous = False, ""
    for line in lines:
        step, access = _STEP.match(line), _ACCESS.match(line)
        if step:
            keep = step[2] == file
            where = f"{labels[int(step[1])]:{width}} | {step[2]}:{step[3]}  {step[4].strip()}"
            if keep and where != previous:  # consecutive steps on one line read as one
                out.append(where)
            previous = where if keep else ""
        elif access:
            if keep and access[1] not in out[-1]:
                out[-1] += f"  {access[1]}"
        elif line.strip() and not line.strip().startswith(("Race condition", "Reproduced")):
            out.append(_name_threads(line.strip(), labels))
    return out


def _name_threads(text: str, labels: list[str]) -> str:
    return re.sub(r"threads (\d+) and (\d+)", lambda m: f"{labels[int(m[1])]} and {labels[int(m[2])]}", text)


_CYCLE = re.compile(r"thread (\d+) -> lock (\S+)")


def _deadlock_cycle(
    make: Callable[[], S],
    workers: dict[str, Callable[[S], object]],
    check: Callable[[S], bool],
    explanation: str,
) -> list[tuple[int, int | None]]:
    """[(thread, id of the lock it waits for)]; DPOR numbers its locks, so a seeded random search
    (which reports real object ids) is run once more to learn which of the learner's locks they are."""
    again = frontrun.explore_random(
        setup=make,
        threads=list(workers.values()),
        invariant=check,
        seed=0,
        max_attempts=60,
        reproduce_on_failure=0,
        total_timeout=10.0,
    )
    named = again.explanation or ""
    if again.property_holds is False and named.startswith("Deadlock"):
        return [(int(t), int(lock, 16)) for t, lock in _CYCLE.findall(named)]
    return [(int(t), None) for t, _ in _CYCLE.findall(explanation)]


def _describe_cycle(cycle: list[tuple[int, int | None]], labels: list[str], states: list[Any], name: str) -> list[str]:
    names = lock_names(states[-1], name) if states else {}
    lines = []
    for index, (thread, lock) in enumerate(cycle):
        holder = cycle[(index + 1) % len(cycle)][0]
        lock_name = names.get(lock, "a lock") if lock is not None else "a lock"
        lines.append(f"{labels[thread]} waits for {lock_name}, held by {labels[holder]}")
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
