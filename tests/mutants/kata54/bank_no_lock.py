"""Bank takes no lock at all, so concurrent `-=` and `+=` on one balance lose updates.

expect-fail: test_concurrent_transfers_lose_no_money
expect-words: lost
"""

import threading
from collections.abc import Mapping


class Counter:
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
    def __init__(self, balances: Mapping[str, int]) -> None:
        self._balances = dict(balances)

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        # MUTANT: no lock around the check and the move
        if self._balances[src] < amount:
            return False
        self._balances[src] -= amount
        self._balances[dst] += amount
        return True

    def balance(self, name: str) -> int:
        return self._balances[name]

    def total(self) -> int:
        return sum(self._balances.values())
