"""Reference for kata 54, one-lock style: a single threading.Lock guards the whole bank.

Every read and write of the balances happens inside a `with self._lock:` block, so a
transfer checks and moves under the same lock and total() can never see it half done.
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
    """Accounts whose transfers are atomic, guarded by one lock."""

    def __init__(self, balances: Mapping[str, int]) -> None:
        self._balances = dict(balances)
        self._lock = threading.Lock()

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        with self._lock:
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
