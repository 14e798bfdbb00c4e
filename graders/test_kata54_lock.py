"""Kata 54 · Locks against data races: the claims.

Races are forced, not hoped for: each concurrent claim runs two threads' calls on fixed schedules, one
for every bytecode step at which one call can be paused while the other runs (``harness.interleave``),
so an unguarded read-modify-write, a check outside the lock or a lock-order deadlock fails on every run.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any

import pytest

from graders.harness import interleave
from graders.harness.messages import failure
from graders.harness.properties import given, st

IDEA_COUNTER = (
    "hold one threading.Lock, made once in __init__, across the whole read-modify-write; a lock made "
    "inside the method, or held around the read alone, guards nothing"
)
IDEA_ATOMIC = "check the balance and move the money under the same lock, in one critical section"
IDEA_ORDER = "take per-account locks in one global order (e.g. sorted by name), or use one lock for the bank"
IDEA_SNAPSHOT = "total() must hold the lock(s) that transfers hold, so it never sees money in flight"


def explore(
    learner: Any,
    name: str,
    setup: Callable[[ModuleType], Any],
    workers: dict[str, Callable[[Any], object]],
    invariant: Callable[[Any], str | None],
) -> interleave.Finding[Any]:
    """Interleavings of ``workers`` over ``setup(module)``, with the learner's module fresh."""

    def search(module: ModuleType) -> interleave.Finding[Any]:
        return interleave.explore(module, setup=setup, workers=workers, invariant=invariant, name=name)

    with interleave.patched(learner.submission) as module:
        outcome = learner.run(search, module, called=f"{' and '.join(workers)} in two threads", deadline=45.0)
    finding: interleave.Finding[Any] = learner.result(outcome)
    if finding.kind == "inconclusive":
        raise failure(
            f"{' and '.join(workers)} did not finish under the scheduler: in one interleaving a thread was "
            "still running when its time ran out. Waiting in threading's Lock, RLock, Condition, Semaphore or "
            "Event is fine here; a thread that loops until another thread changes something (polling a flag, "
            "or releasing and re-taking a lock in a loop: busy waiting), or that never ends, does not finish.",
            called=f"{' and '.join(workers)} in two threads",
            evidence=finding.evidence,
            idea="wait for another thread with a Condition (wait() / notify_all()), never by polling",
        )
    return finding


def found_in(finding: interleave.Finding[Any]) -> str:
    return f"(found in interleaving {finding.interleavings}; it happens every time in that order)"


# ---------------------------------------------------------------- task 1 · Counter


@pytest.mark.task(1)
def test_counter_starts_at_zero_and_adds_by(learner):
    def script() -> list[int]:
        counter = learner.Counter()
        seen = [counter.value]
        for by in (1, 4, 2):
            counter.increment(by)
            seen.append(counter.value)
        return seen

    seen = learner.result(learner.run(script, called="Counter(); increment(1), (4), (2)", deadline=5.0))
    if seen != [0, 1, 5, 7]:
        raise failure(
            f"value read {seen} after Counter(), increment(1), increment(4), increment(2); expected "
            "[0, 1, 5, 7]: it should start at 0 and add `by` each time.",
            idea="increment(by) adds by, not 1",
        )


@pytest.mark.task(1)
def test_counter_loses_no_increment_under_forced_interleavings(learner):
    learner.result(learner.run(lambda: learner.Counter().increment(), called="Counter().increment()", deadline=5.0))

    def invariant(counter: Any) -> str | None:
        return None if counter.value == 2 else f"value is {counter.value} after 2 increments"

    finding = explore(
        learner,
        "counter",
        lambda m: m.Counter(),
        {
            "increment() #1": lambda c: c.increment(),
            "increment() #2": lambda c: c.increment(),
        },
        invariant,
    )
    if not finding.holds:
        lost = finding.violation or "an increment went missing"
        made = locks_made_per_call(learner)
        raise failure(
            f"Increments were lost: {lost}. Both threads read the count before either wrote it back"
            + (
                f": increment() makes a new lock on every call (two calls made {sum(made)}), so each thread "
                "takes a lock of its own and nothing keeps the other out."
                if all(made)
                else "."
            ),
            called="counter.increment() in two threads at once",
            contract="no increment is ever lost, whatever the number of threads",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_COUNTER,
        )


def is_lock(value: object) -> bool:
    return any(word in type(value).__name__.lower() for word in ("lock", "condition", "semaphore"))


def locks_made_per_call(
    learner: Any,
    make: Callable[[ModuleType], Any] = lambda m: m.Counter(),
    call: Callable[[Any], object] = lambda counter: counter.increment(),
    called: str = "Counter().increment() twice",
) -> tuple[int, int]:
    """How many locks each of two ``call(make(module))`` calls (one object, one call after the other) creates.

    Under :func:`interleave.patched` every lock is a Python object whose ``__init__`` a profile function sees,
    on every Python version (a bare ``threading.Lock()`` is not a Python call on 3.13).
    """

    def count() -> tuple[int, int]:
        target = make(module)
        made: list[int] = []

        def profile(frame: FrameType, event: str, arg: object) -> None:
            if event == "call" and frame.f_code.co_name == "__init__" and is_lock(frame.f_locals.get("self")):
                made[-1] += 1

        while len(made) < 2:
            made.append(0)
            sys.setprofile(profile)
            try:
                call(target)
            finally:
                sys.setprofile(None)
        return made[0], made[1]

    with interleave.patched(learner.submission) as module:
        outcome = learner.run(count, called=called, deadline=5.0)
    return outcome.value if not outcome.raised else (0, 0)


IDEA_LOCK_PER_CALL = (
    "make the lock(s) once, in __init__, and share them: a `with threading.Lock():` inside the method "
    "makes a fresh lock every call, which no other thread ever holds, so it keeps nobody out"
)


def lock_per_call(learner: Any, method: str = "transfer") -> str:
    """A sentence naming a lock made anew on every call of ``Bank.<method>`` (two calls each made one), or ""."""
    calls = {
        "transfer": (lambda bank: bank.transfer("a", "b", 1), "transfer('a', 'b', 1)"),
        "total": (lambda bank: bank.total(), "total()"),
    }
    call, shown = calls[method]
    made = locks_made_per_call(learner, lambda m: m.Bank({"a": 5, "b": 5}), call, f"bank.{shown} twice")
    if not all(made):
        return ""
    return (
        f" {method}() makes a new lock on every call (two calls of {shown} made {sum(made)}): each thread "
        "holds a lock of its own, and nothing keeps the other out."
    )


# ---------------------------------------------------------------- task 2 · Bank, one call at a time

NAMES = ("a", "b", "c")
calls = st.lists(
    st.one_of(
        st.tuples(
            st.just("transfer"),
            st.sampled_from((*NAMES, "zed")),
            st.sampled_from((*NAMES, "zed")),
            st.integers(-2, 12),
        ),
        st.tuples(st.just("balance"), st.sampled_from((*NAMES, "zed"))),
        st.tuples(st.just("total")),
    ),
    max_size=12,
)


def model_call(balances: dict[str, int], call: tuple) -> object:
    """What the contract says ``call`` does to ``balances`` (mutated) and returns (or raises, as a type)."""
    if call[0] == "total":
        return sum(balances.values())
    if call[0] == "balance":
        return balances.get(call[1], KeyError)
    _, src, dst, amount = call
    if src not in balances or dst not in balances:
        return KeyError
    if amount <= 0 or src == dst:
        return ValueError
    if balances[src] < amount:
        return False
    balances[src] -= amount
    balances[dst] += amount
    return True


def show_call(call: tuple) -> str:
    return f"{call[0]}({', '.join(map(repr, call[1:]))})"


def returned(result: object) -> str:
    """What a call did, in the past tense: ``returned False``, ``raised KeyError``."""
    return f"raised {result.__name__}" if isinstance(result, type) else f"returned {result!r}"


def says(result: object) -> str:
    """What the contract says a call does: ``returns True``, ``raises KeyError``."""
    return f"raises {result.__name__}" if isinstance(result, type) else f"returns {result!r}"


def why(call: tuple, expected: object, model: dict[str, int]) -> str:
    """The rule of the contract behind ``expected``, for the call that broke it (``model``: balances before it)."""
    if expected is KeyError:
        return " (an unknown name is a KeyError" + (", whatever the amount)" if call[0] == "transfer" else ")")
    if expected is ValueError:
        return " (amount <= 0 or src == dst is a ValueError)"
    if call[0] == "transfer":
        held = model[call[1]]
        if expected is True:
            return f": {call[1]!r} holds {held}, at least the amount, so the money moves"
        return f": {call[1]!r} holds only {held}, so nothing changes"
    if call[0] == "balance":
        return f": after the calls before it, {call[1]!r} holds {expected}"
    return ": the total never changes"


RULES = [
    # Each rule of the contract on its own, tried before the random scripts: found every time, with a short story.
    ({"a": 2, "b": 0, "c": 0}, [("transfer", "a", "b", 2), ("balance", "a"), ("balance", "b")]),
    ({"a": 1, "b": 0, "c": 0}, [("transfer", "a", "b", 2), ("balance", "a"), ("balance", "b")]),
    ({"a": 1, "b": 0, "c": 0}, [("transfer", "a", "a", 1), ("transfer", "a", "b", 0), ("transfer", "a", "b", -1)]),
    ({"a": 1, "b": 0, "c": 0}, [("balance", "zed"), ("transfer", "zed", "a", 1), ("transfer", "a", "zed", 1)]),
    ({"a": 1, "b": 0, "c": 0}, [("transfer", "a", "zed", 1), ("balance", "a"), ("total",)]),
    (
        {"a": 1, "b": 0, "c": 0},
        [("transfer", "zed", "a", 0), ("transfer", "a", "zed", -1), ("transfer", "zed", "zed", 1)],
    ),
]
SHOWN_CALLS = 6
"""Calls before the failing one shown in a message (the latest ones)."""


@pytest.mark.task(2)
def test_bank_follows_the_contract_one_call_at_a_time(learner):
    smoke_bank(learner)

    def one_script(start: dict[str, int], script: list[tuple]) -> None:
        bank, model, done = learner.Bank(dict(start)), dict(start), []
        for call in script:
            before = dict(model)
            expected = model_call(model, call)
            try:
                actual: object = getattr(bank, call[0])(*call[1:])
            except (KeyError, ValueError) as exc:
                actual = type(exc)
            if actual != expected and not (expected is True and actual is True):
                shown = done[-SHOWN_CALLS:]
                raise failure(
                    f"{show_call(call)} {returned(actual)}; the contract says it {says(expected)}"
                    f"{why(call, expected, before)}.",
                    called=f"bank = Bank({start!r})"
                    + (", then one call at a time (below)" if done else f"; bank.{show_call(call)}"),
                    evidence=([f"… {len(done) - len(shown)} earlier call(s)"] if len(done) > len(shown) else [])
                    + [f"bank.{show_call(c)} {returned(r)}" for c, r in shown]
                    + ([f"bank.{show_call(call)} {returned(actual)}  <- this call"] if done else []),
                    idea="check unknown names first (KeyError), then the arguments (ValueError), then the funds",
                )
            done.append((call, actual))

    random_scripts = given(start=st.fixed_dictionaries({name: st.integers(0, 10) for name in NAMES}), script=calls)(
        one_script
    )

    def every_script() -> None:
        for start, script in RULES:
            one_script(start, script)
        random_scripts()

    learner.result(learner.run(every_script, called="Bank(...) with one call at a time", deadline=60.0))


@pytest.mark.task(2)
def test_bank_keeps_its_own_copy_of_balances(learner):
    def script() -> tuple[int, dict[str, int]]:
        start = {"a": 5, "b": 0}
        bank = learner.Bank(start)
        start["a"] = 100
        seen = bank.balance("a")
        bank.transfer("a", "b", 5)
        return seen, start

    seen, start = learner.result(learner.run(script, called="Bank(start)", deadline=5.0))
    if seen != 5 or start != {"a": 100, "b": 0}:
        raise failure(
            "Bank shares the caller's dict instead of keeping its own copy: "
            f"after start['a'] = 100, balance('a') was {seen}, and transfer('a', 'b', 5) left the "
            f"caller's dict as {start}.",
            called="start = {'a': 5, 'b': 0}; bank = Bank(start); start['a'] = 100",
            contract="Bank keeps its own copy of balances",
            idea="copy the mapping in __init__: dict(balances)",
        )


# ---------------------------------------------------------------- task 3 · Bank under threads


@dataclass
class Scene:
    """A bank, and what a ``total()`` worker saw."""

    bank: Any
    totals: list[int] = field(default_factory=list)


def scene(balances: dict[str, int]) -> Callable[[ModuleType], Scene]:
    return lambda module: Scene(module.Bank(dict(balances)))


def smoke_bank(learner: Any) -> None:
    def script() -> None:
        bank = learner.Bank({"a": 1, "b": 0})
        bank.transfer("a", "b", 1)
        bank.total()

    learner.result(learner.run(script, called="Bank({'a': 1, 'b': 0}).transfer('a', 'b', 1)", deadline=5.0))


def balances(bank: Any, names: str) -> dict[str, int]:
    return {name: bank.balance(name) for name in names}


def torn(violation: str, expected: int, dst: str) -> str:
    """How a ``total() returned N`` beside a transfer from 'a' to ``dst`` came about, in the learner's terms."""
    number = re.search(r"returned (-?\d+)", violation)
    seen = int(number[1]) if number else expected
    if seen < expected:
        return f"it read the balances while the transfer was half done: the money had left 'a' but not reached {dst!r}"
    if seen > expected:
        return (
            f"it read 'a' before the transfer and {dst!r} after it, so the money was counted twice (taking each "
            "account's lock in turn is not a snapshot: hold them all at once)"
        )
    return "it did not return exactly once"


@pytest.mark.task(3)
def test_concurrent_transfers_lose_no_money(learner):
    smoke_bank(learner)

    def invariant(s: Scene) -> str | None:
        seen = balances(s.bank, "abc")
        return (
            None if seen == {"a": 3, "b": 2, "c": 5} else f"balances ended {seen}, expected {{'a': 3, 'b': 2, 'c': 5}}"
        )

    finding = explore(
        learner,
        "",
        scene({"a": 5, "b": 5, "c": 0}),
        {
            "transfer('a', 'c', 2)": lambda s: s.bank.transfer("a", "c", 2),
            "transfer('b', 'c', 3)": lambda s: s.bank.transfer("b", "c", 3),
        },
        invariant,
    )
    if not finding.holds:
        note = lock_per_call(learner)
        ended = re.search(r"balances ended (\{.*?\})", finding.violation)
        vanished = ended is not None and sum(ast.literal_eval(ended[1]).values()) == 10
        raise failure(
            (
                f"A whole transfer vanished: {finding.violation}. The total is still 10, but one transfer's "
                "changes were overwritten: both transfers read the balances before either wrote them back."
                if vanished
                else f"Money was lost: {finding.violation}. Both transfers read 'c' before either wrote it back."
            )
            + note,
            called="transfer('a', 'c', 2) and transfer('b', 'c', 3) at once, from {'a': 5, 'b': 5, 'c': 0}",
            contract="a transfer is atomic",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_LOCK_PER_CALL if note else "guard every read-modify-write of the balances with one shared lock",
        )


@pytest.mark.task(3)
def test_a_transfer_checks_and_moves_under_one_lock(learner):
    smoke_bank(learner)

    def invariant(s: Scene) -> str | None:
        seen = balances(s.bank, "ab")
        return None if seen == {"a": 1, "b": 2} else f"balances ended {seen}, expected {{'a': 1, 'b': 2}}"

    finding = explore(
        learner,
        "",
        scene({"a": 3, "b": 0}),
        {
            "transfer('a', 'b', 2) #1": lambda s: s.bank.transfer("a", "b", 2),
            "transfer('a', 'b', 2) #2": lambda s: s.bank.transfer("a", "b", 2),
        },
        invariant,
    )
    if not finding.holds:
        negative = "-" in finding.violation
        note = lock_per_call(learner)
        raise failure(
            f"{'A balance went negative' if negative else 'The transfers broke the books'}: "
            f"{finding.violation}. Both transfers checked that 'a' held 2 before either moved it "
            f"(check-then-act).{note}",
            called="transfer('a', 'b', 2) twice at once, from {'a': 3, 'b': 0}",
            contract="no balance ever goes negative; exactly one of the two transfers succeeds",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_LOCK_PER_CALL if note else IDEA_ATOMIC,
        )


@pytest.mark.task(3)
def test_opposite_transfers_do_not_deadlock(learner):
    smoke_bank(learner)
    finding = explore(
        learner,
        "",
        scene({"a": 5, "b": 5}),
        {
            "transfer('a', 'b', 1)": lambda s: s.bank.transfer("a", "b", 1),
            "transfer('b', 'a', 1)": lambda s: s.bank.transfer("b", "a", 1),
        },
        lambda s: None if balances(s.bank, "ab") == {"a": 5, "b": 5} else f"balances ended {balances(s.bank, 'ab')}",
    )
    if finding.kind == "deadlock":
        raise failure(
            "Deadlock: each transfer holds one account's lock and waits for the other's.",
            called="transfer('a', 'b', 1) and transfer('b', 'a', 1) at once",
            contract="transfers in opposite directions at the same time never deadlock",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ORDER,
        )
    if not finding.holds:
        note = lock_per_call(learner)
        raise failure(
            f"Opposite transfers broke the books: {finding.violation or 'the balances changed'}.{note}",
            called="transfer('a', 'b', 1) and transfer('b', 'a', 1) at once, from {'a': 5, 'b': 5}",
            contract="a transfer is atomic",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_LOCK_PER_CALL if note else IDEA_ATOMIC,
        )


@pytest.mark.task(3)
def test_total_is_a_consistent_snapshot_during_transfers(learner):
    smoke_bank(learner)

    def invariant(s: Scene) -> str | None:
        return None if s.totals == [10] else f"total() returned {s.totals[0] if s.totals else 'nothing'}"

    finding = explore(
        learner,
        "",
        scene({"a": 5, "b": 5}),
        {
            "transfer('a', 'b', 3)": lambda s: s.bank.transfer("a", "b", 3),
            "total()": lambda s: s.totals.append(s.bank.total()),
        },
        invariant,
    )
    if finding.kind == "deadlock":
        raise failure(
            "Deadlock between a transfer and total().",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ORDER,
        )
    if not finding.holds:
        note = lock_per_call(learner) or lock_per_call(learner, "total")
        raise failure(
            f"total() is not a consistent snapshot: {finding.violation} (expected 10) while "
            f"transfer('a', 'b', 3) ran: {torn(finding.violation, 10, 'b')}.{note}",
            called="transfer('a', 'b', 3) and total() at once, from {'a': 5, 'b': 5}",
            contract="total() always equals the starting total, even while transfers run",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_LOCK_PER_CALL if note else IDEA_SNAPSHOT,
        )


@pytest.mark.task(3)
def test_total_beside_transfers_never_deadlocks(learner):
    smoke_bank(learner)

    def invariant(s: Scene) -> str | None:
        seen = balances(s.bank, "abc")
        if s.totals != [15]:
            return f"total() returned {s.totals[0] if s.totals else 'nothing'} (expected 15)"
        if seen != {"a": 4, "b": 5, "c": 6}:
            return f"balances ended {seen}, expected {{'a': 4, 'b': 5, 'c': 6}}"
        return None

    finding = explore(
        learner,
        "",
        scene({"a": 5, "b": 5, "c": 5}),
        {
            "transfer('a', 'c', 1)": lambda s: s.bank.transfer("a", "c", 1),
            "total()": lambda s: s.totals.append(s.bank.total()),
        },
        invariant,
    )
    if finding.kind == "deadlock":
        raise failure(
            "Deadlock: total() and a transfer take the same locks in different orders.",
            called="transfer('a', 'c', 1) and total() at once",
            contract="total() beside transfers never deadlocks",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ORDER + "; total() must follow the same order",
        )
    if not finding.holds:
        note = lock_per_call(learner) or lock_per_call(learner, "total")
        raise failure(
            (
                f"total() is not a consistent snapshot: {finding.violation} while transfer('a', 'c', 1) ran: "
                f"{torn(finding.violation, 15, 'c')}."
                if finding.violation.startswith("total()")
                else f"A transfer beside total() broke the books: {finding.violation or 'the balances changed'}."
            )
            + note,
            called="transfer('a', 'c', 1) and total() at once, from {'a': 5, 'b': 5, 'c': 5}",
            contract="total() always equals the starting total, even while transfers run",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_LOCK_PER_CALL if note else IDEA_SNAPSHOT,
        )
