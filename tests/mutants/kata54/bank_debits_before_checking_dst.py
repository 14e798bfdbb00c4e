"""Bank.transfer debits the source before it looks the destination up, so an unknown destination raises KeyError
after the money has left.

expect-fail: test_bank_follows_the_contract_one_call_at_a_time
expect-words: balance('a') returned 0, returns 1
"""

import threading
from collections.abc import Mapping
from contextlib import ExitStack


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
        if src not in self._balances:
            raise KeyError(src)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        with self._locks[src]:
            if self._balances[src] < amount:
                return False
            self._balances[src] -= amount  # MUTANT: debited before dst is known to exist
        if dst not in self._balances:
            raise KeyError(dst)
        first, second = sorted((src, dst))
        with self._locks[first], self._locks[second]:
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
