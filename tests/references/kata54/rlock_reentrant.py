"""Reference for kata 54, re-entrant style: explicit acquire/try/finally and one threading.RLock.

Counter pairs acquire() with release() in try/finally. Bank holds one RLock, so transfer()
may call the public balance(), which takes the same lock again, while it already holds it.
"""

import threading
from collections.abc import Mapping


class Counter:
    """A counter that loses no increment, whatever the number of threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def increment(self, by: int = 1) -> None:
        self._lock.acquire()
        try:
            self._value += by
        finally:
            self._lock.release()

    @property
    def value(self) -> int:
        self._lock.acquire()
        try:
            return self._value
        finally:
            self._lock.release()


class Bank:
    """Accounts guarded by one re-entrant lock."""

    def __init__(self, balances: Mapping[str, int]) -> None:
        self._balances = dict(balances)
        self._lock = threading.RLock()

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        with self._lock:
            available = self.balance(src)  # re-enters the lock; KeyError for an unknown name
            self.balance(dst)
            if amount <= 0:
                raise ValueError(f"amount must be positive, got {amount}")
            if src == dst:
                raise ValueError(f"cannot transfer from {src!r} to itself")
            if available < amount:
                return False
            self._balances[src] = available - amount
            self._balances[dst] += amount
            return True

    def balance(self, name: str) -> int:
        with self._lock:
            return self._balances[name]

    def total(self) -> int:
        with self._lock:
            return sum(self._balances.values())
