"""Kata 54 · Locks against data races: the claims.

Races are forced, not hoped for: each concurrent claim runs two threads' calls under a scheduler
that tries every distinct interleaving of their bytecodes (``harness.interleave``), so an unguarded
read-modify-write, a check outside the lock or a lock-order deadlock fails on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graders.harness import interleave
from graders.harness.messages import failure

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
    """Every interleaving of ``workers`` over ``setup(module)``, with the learner's module fresh."""
    with interleave.patched(learner.submission) as module:
        outcome = learner.run(
            interleave.explore,
            module,
            setup=setup,
            workers=workers,
            invariant=invariant,
            name=name,
            called=f"{' and '.join(workers)} in two threads",
            deadline=45.0,
        )
    finding: interleave.Finding[Any] = learner.result(outcome)
    if finding.kind == "inconclusive":
        raise failure(
            f"{' and '.join(workers)} did not finish under the scheduler: a thread spun or blocked "
            "outside threading's locks (busy waiting, or an endless loop).",
            evidence=finding.evidence,
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
        raise failure(
            f"Increments were lost: {lost}. Both threads read the count before either wrote it back.",
            called="counter.increment() in two threads at once",
            contract="no increment is ever lost, whatever the number of threads",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_COUNTER,
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


def show(result: object) -> str:
    return f"raises {result.__name__}" if isinstance(result, type) else repr(result)


@pytest.mark.task(2)
def test_bank_follows_the_contract_one_call_at_a_time(learner):
    smoke_bank(learner)

    @given(start=st.fixed_dictionaries({name: st.integers(0, 10) for name in NAMES}), script=calls)
    def one_script(start: dict[str, int], script: list[tuple]) -> None:
        bank, model, done = learner.Bank(dict(start)), dict(start), []
        for call in script:
            expected = model_call(model, call)
            try:
                actual: object = getattr(bank, call[0])(*call[1:])
            except (KeyError, ValueError) as exc:
                actual = type(exc)
            if actual != expected and not (expected is True and actual is True):
                raise failure(
                    f"{show_call(call)} {show(actual)}; the contract says it {show(expected)}"
                    f"{' (an unknown name is a KeyError, whatever the amount)' if expected is KeyError else ''}"
                    f"{' (amount <= 0 or src == dst is a ValueError)' if expected is ValueError else ''}.",
                    called=f"Bank({start!r}) then, one at a time:",
                    evidence=[f"{show_call(c)} -> {show(r)}" for c, r in done] + [f"{show_call(call)} -> ?"],
                    idea="check unknown names first (KeyError), then the arguments (ValueError), then the funds",
                )
            done.append((call, actual))

    learner.result(learner.run(one_script, called="Bank(...) with one call at a time", deadline=60.0))


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
        raise failure(
            f"Money was lost: {finding.violation}. Both transfers read 'c' before either wrote it back.",
            called="transfer('a', 'c', 2) and transfer('b', 'c', 3) at once, from {'a': 5, 'b': 5, 'c': 0}",
            contract="a transfer is atomic",
            evidence=[*finding.evidence, found_in(finding)],
            idea="guard every read-modify-write of a balance with a lock",
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
        raise failure(
            f"{'A balance went negative' if negative else 'The transfers broke the books'}: "
            f"{finding.violation}. Both transfers checked that 'a' held 2 before either moved it "
            "(check-then-act).",
            called="transfer('a', 'b', 2) twice at once, from {'a': 3, 'b': 0}",
            contract="no balance ever goes negative; exactly one of the two transfers succeeds",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ATOMIC,
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
        raise failure(
            f"Opposite transfers broke the books: {finding.violation or 'the balances changed'}.",
            called="transfer('a', 'b', 1) and transfer('b', 'a', 1) at once, from {'a': 5, 'b': 5}",
            contract="a transfer is atomic",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ATOMIC,
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
        raise failure(
            f"total() is not a consistent snapshot: {finding.violation} (expected 10) while "
            "transfer('a', 'b', 3) was half done: the money had left 'a' but not reached 'b'.",
            called="transfer('a', 'b', 3) and total() at once, from {'a': 5, 'b': 5}",
            contract="total() always equals the starting total, even while transfers run",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_SNAPSHOT,
        )


@pytest.mark.task(3)
def test_total_beside_transfers_never_deadlocks(learner):
    smoke_bank(learner)
    finding = explore(
        learner,
        "",
        scene({"a": 5, "b": 5, "c": 5}),
        {
            "transfer('a', 'c', 1)": lambda s: s.bank.transfer("a", "c", 1),
            "total()": lambda s: s.totals.append(s.bank.total()),
        },
        lambda s: None,
    )
    if finding.kind == "deadlock":
        raise failure(
            "Deadlock: total() and a transfer take the same locks in different orders.",
            called="transfer('a', 'c', 1) and total() at once",
            contract="total() beside transfers never deadlocks",
            evidence=[*finding.evidence, found_in(finding)],
            idea=IDEA_ORDER + "; total() must follow the same order",
        )
