"""Bank.total() takes each account's lock only while it reads that balance, so a transfer can finish between two
reads and the money is counted twice.

expect-fail: test_total_is_a_consistent_snapshot_during_transfers
expect-words: snapshot, counted twice, all at once
"""

import threading
from collections.abc import Mapping


class Counter:
    """A counter that loses no increment, whatever the number of threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def increment(self, by: int = 1) -> None:
        with self._lock:
            self._value += by

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


class Bank:
    """Accounts with a lock each; locks are always acquired in sorted name order."""

    def __init__(self, balances: Mapping[str, int]) -> None:
        self._balances = dict(balances)
        self._locks = {name: threading.Lock() for name in self._balances}

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        first, second = sorted((src, dst))
        with self._locks[first], self._locks[second]:
            if self._balances[src] < amount:
                return False
            self._balances[src] -= amount
            self._balances[dst] += amount
            return True

    def balance(self, name: str) -> int:
        with self._locks[name]:
            return self._balances[name]

    def total(self) -> int:
        total = 0
        for name in sorted(self._locks):
            with self._locks[name]:  # MUTANT: one lock at a time is not a snapshot
                total += self._balances[name]
        return total
