"""Hostile: increment() takes a non-reentrant lock twice and blocks forever (a real deadlock).

expect-kata: 54
expect-words: did not return, stuck at
"""

import threading


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def increment(self, by: int = 1) -> None:
        with self._lock:
            with self._lock:
                self._value += by

    @property
    def value(self) -> int:
        return self._value


class Bank:
    def __init__(self, balances):
        self._balances = dict(balances)
        self._lock = threading.Lock()

    def transfer(self, src, dst, amount):
        with self._lock:
            with self._lock:
                return False

    def balance(self, name):
        return self._balances[name]

    def total(self):
        return sum(self._balances.values())
