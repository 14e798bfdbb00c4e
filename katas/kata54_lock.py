"""Kata 54 · Locks against data races (Effective Python, Item 54).

The GIL keeps the interpreter's own data safe, not yours: ``self.count += by`` is a read, an add
and a write, and another thread can run between them.  Two threads that both read 5 both write 6,
and one increment is lost.  A ``threading.Lock`` makes such a read-modify-write happen as one step.

Task 1 · ``Counter``: starts at 0; ``increment(by=1)`` adds ``by``; ``value`` reads it.  No
increment is ever lost, however many threads call it.

Task 2 · ``Bank``, one call at a time: ``Bank(balances)`` keeps its own copy of ``balances``.
``transfer(src, dst, amount)`` moves ``amount`` from ``src`` to ``dst`` and returns True when
``src`` holds at least ``amount``; otherwise it changes nothing and returns False.  An unknown name
raises ``KeyError`` (in ``transfer`` whatever the amount, and in ``balance``); otherwise
``amount <= 0`` or ``src == dst`` raises ``ValueError``.  ``balance(name)`` and ``total()`` read.

Task 3 · ``Bank`` under threads: a transfer is atomic, so no balance ever goes negative and no
money appears or vanishes; ``total()`` is a consistent snapshot even while transfers run (it always
equals the starting total); transfers in opposite directions at the same time, and ``total()``
beside them, never deadlock.

The grader runs your methods from several threads under a scheduler that forces a thread switch
between any two bytecodes, trying every distinct interleaving: a race shows on every run, not once
in a thousand.  Create your locks with ``threading`` (``threading.Lock()``, ``RLock``,
``Condition``).

Run ``tox -e kata54`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Mapping


class Counter:
    """A counter that many threads may increment at once."""

    def __init__(self) -> None:
        # TODO: the count, and what protects it.
        pass

    def increment(self, by: int = 1) -> None:
        """Add ``by`` to the count, as one indivisible step."""
        raise NotImplementedError

    @property
    def value(self) -> int:
        """The current count."""
        raise NotImplementedError


class Bank:
    """Accounts that threads move money between."""

    def __init__(self, balances: Mapping[str, int]) -> None:
        """Start with a copy of ``balances`` (name -> amount)."""
        # TODO: keep your own copy, and what protects it.
        pass

    def transfer(self, src: str, dst: str, amount: int) -> bool:
        """Move ``amount`` from ``src`` to ``dst`` if ``src`` has it; True if moved, else False.

        Raises:
            KeyError: ``src`` or ``dst`` is not an account.
            ValueError: ``amount <= 0`` or ``src == dst``.
        """
        raise NotImplementedError

    def balance(self, name: str) -> int:
        """The balance of ``name``; ``KeyError`` if there is no such account."""
        raise NotImplementedError

    def total(self) -> int:
        """The sum of all balances, as one consistent snapshot."""
        raise NotImplementedError
