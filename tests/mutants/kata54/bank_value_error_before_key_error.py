"""Bank.transfer checks the amount before the names, so transfer('zed', 'a', 0) raises ValueError.

expect-fail: test_bank_follows_the_contract_one_call_at_a_time
expect-words: raised valueerror, raises keyerror
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
        self._lock = threading.Lock()

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        # MUTANT: ValueError checks come before the KeyError check
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if src == dst:
            raise ValueError(f"cannot transfer from {src!r} to itself")
        for name in (src, dst):
            if name not in self._balances:
                raise KeyError(name)
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
