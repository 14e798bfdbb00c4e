"""Reference for kata 54, Condition style: a readers-writer lock built on threading.Condition.

Transfers hold it shared (and lock their two accounts in sorted order); total() holds it
exclusively and waits with Condition.wait() until no transfer is in flight, so it never sees
money half moved. From the round-2 independent test (correct_rw_lock.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping


class _SharedExclusive:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._sharers = 0
        self._exclusive = False

    def acquire_shared(self) -> None:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._sharers += 1

    def release_shared(self) -> None:
        with self._cond:
            self._sharers -= 1
            if self._sharers == 0:
                self._cond.notify_all()

    def acquire_exclusive(self) -> None:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._exclusive = True  # new sharers now wait
            while self._sharers:
                self._cond.wait()

    def release_exclusive(self) -> None:
        with self._cond:
            self._exclusive = False
            self._cond.notify_all()


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._v = 0

    def increment(self, by: int = 1) -> None:
        with self._lock:
            self._v += by

    @property
    def value(self) -> int:
        with self._lock:
            return self._v


class Bank:
    def __init__(self, balances: Mapping[str, int]) -> None:
        self._bal = dict(balances)
        self._acct_locks = {name: threading.Lock() for name in self._bal}
        self._rw = _SharedExclusive()

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        if src not in self._bal or dst not in self._bal:
            raise KeyError(src if src not in self._bal else dst)
        if amount <= 0 or src == dst:
            raise ValueError("invalid transfer")
        a, b = sorted((src, dst))
        self._rw.acquire_shared()
        try:
            with self._acct_locks[a], self._acct_locks[b]:
                if self._bal[src] < amount:
                    return False
                self._bal[src] -= amount
                self._bal[dst] += amount
                return True
        finally:
            self._rw.release_shared()

    def balance(self, name: str) -> int:
        with self._acct_locks[name]:
            return self._bal[name]

    def total(self) -> int:
        self._rw.acquire_exclusive()
        try:
            return sum(self._bal.values())
        finally:
            self._rw.release_exclusive()
