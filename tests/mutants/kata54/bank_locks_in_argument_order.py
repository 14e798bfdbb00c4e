"""Bank.transfer takes the per-account locks in argument order (src, then dst), not sorted.

expect-fail: test_opposite_transfers_do_not_deadlock
expect-words: deadlock
"""

import threading
from collections.abc import Mapping
from contextlib import ExitStack


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
        self._locks = {name: threading.Lock() for name in self._balances}

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        with self._locks[src], self._locks[dst]:  # MUTANT: argument order, not sorted
            if self._balances[src] < amount:
                return False
            self._balances[src] -= amount
            self._balances[dst] += amount
            return True

    def balance(self, name: str) -> int:
        with self._locks[name]:
            return self._balances[name]

    def total(self) -> int:
        with ExitStack() as stack:
            for name in sorted(self._locks):
                stack.enter_context(self._locks[name])
            return sum(self._balances.values())
