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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

import frontrun
from frontrun._cooperative import patch_locks, unpatch_locks

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
    """Explore interleavings of ``workers`` over fresh states from ``setup(module)``.

    Args:
        module: the learner's module as loaded by :func:`patched`.
        workers: label (e.g. ``"transfer('a', 'b', 1)"``) -> the call that thread makes.
        invariant: checked after all workers finish: None if it holds, else what is wrong, in words.
        name: what to call the state in messages (``"counter"``); locks are named by their path
            from it (``counter._lock``); with ``""`` the path starts at the state's attributes.
        timeout: seconds for the whole exploration; when they run out, the interleavings explored so far
            decide (frontrun explores in a fixed order, so a race it finds early is found on every run).
    """
    labels = list(workers)
    states: list[S] = []

    def make() -> S:
        states.append(setup(module))
        return states[-1]

    def check(state: S) -> bool:
        problem = invariant(state)
        if problem:
            raise AssertionError(problem)
        return True

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
        return Finding("inconclusive", result.num_explored, [result.inconclusive_reason or explanation])
    if explanation.startswith("Deadlock"):
        cycle = _deadlock_cycle(module, make, workers, check, explanation)
        return Finding("deadlock", result.num_explored, _describe_cycle(cycle, labels, states, name))
    violation, trace = _split_violation(explanation)
    file = module.__file__.rsplit("/", 1)[-1] if module.__file__ else ""
    return Finding("violated", result.num_explored, _translate_trace(trace, labels, file), violation)


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
    module: ModuleType,
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
