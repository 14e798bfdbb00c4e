"""Hostile: an unlocked Counter and Bank, and at import every function of the harness made to do nothing.

expect-kata: 54
expect-words: replaced, graders.harness
"""

import sys

for _name, _module in list(sys.modules.items()):
    if _name.startswith("graders.harness."):
        for _attr, _value in list(vars(_module).items()):
            if callable(_value) and not _attr.startswith("__"):
                setattr(_module, _attr, lambda *args, **kwargs: None)


class Counter:
    def __init__(self):
        self._value = 0

    def increment(self, by=1):
        self._value += by

    def value(self):
        return self._value


class Bank:
    def __init__(self, balances):
        self._balances = dict(balances)

    def transfer(self, src, dst, amount):
        if self._balances[src] < amount:
            return False
        self._balances[src] -= amount
        self._balances[dst] += amount
        return True

    def balance(self, name):
        return self._balances[name]
