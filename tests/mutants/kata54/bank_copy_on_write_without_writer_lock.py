"""Copy-on-write without the writer lock: two transfers copy the same state and one publication overwrites the other.

From the round-2 independent test: the total stays intact, so the message must say a whole transfer vanished.

expect-fail: test_concurrent_transfers_lose_no_money
expect-words: a whole transfer vanished, the total is still 10, overwritten
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0

    def increment(self, by: int = 1) -> None:
        with self._lock:
            self._total = self._total + by

    @property
    def value(self) -> int:
        return self._total


class Bank:
    def __init__(self, balances: Mapping[str, int]) -> None:
        self._write = threading.Lock()
        self._state: Mapping[str, int] = MappingProxyType(dict(balances))

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        state = self._state
        if src not in state:
            raise KeyError(src)
        if dst not in state:
            raise KeyError(dst)
        if amount <= 0 or src == dst:
            raise ValueError(f"invalid transfer {src!r} -> {dst!r} of {amount!r}")
        if state[src] < amount:
            return False
        new = dict(state)
        new[src] -= amount
        new[dst] += amount
        self._state = MappingProxyType(new)
        return True

    def balance(self, name: str) -> int:
        return self._state[name]

    def total(self) -> int:
        return sum(self._state.values())
