"""Bank.transfer takes `with threading.Lock():`, a new lock on every call, so the lock guards nothing.

From the round-2 independent test: the message must name the lock made per call, not only the lost money.

expect-fail: test_concurrent_transfers_lose_no_money
expect-words: money was lost, transfer() makes a new lock on every call, in __init__
"""

from __future__ import annotations

import threading
from collections.abc import Mapping


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def increment(self, by: int = 1) -> None:
        with self._lock:
            self._count += by

    @property
    def value(self) -> int:
        with self._lock:
            return self._count


class Bank:
    def __init__(self, balances: Mapping[str, int]) -> None:
        self._lock = threading.Lock()
        self._balances = dict(balances)

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError("cannot transfer to the same account")
        with threading.Lock():
            if self._balances[src] < amount:
                return False
            self._balances[src] -= amount
            self._balances[dst] += amount
            return True

    def balance(self, name: str) -> int:
        with self._lock:
            return self._balances[name]

    def total(self) -> int:
        with self._lock:
            return sum(self._balances.values())
