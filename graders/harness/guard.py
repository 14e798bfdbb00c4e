"""Notice a submission replacing what the grading relies on: the concurrency modules, the clock, the harness.

The learner's code runs in the grader's interpreter, so it could swap ``threading.Lock`` for something that
never blocks, freeze ``time.monotonic``, or rebind a harness function to one that always agrees.  A snapshot
taken before the submission is imported records every public name of those modules (and the attributes of
their classes), every name of the harness's modules, and the grading plugin's methods; a claim that ends
with any of them replaced or deleted fails, and so do the claims after it.  Names added later are ignored
(modules create some lazily).  This catches patching, the way submissions try it; code bent on subverting
the interpreter it runs in can always reach further, which is why grading also runs in a process of its
own with its records checked outside it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

WATCHED_MODULES = (
    "threading",
    "_thread",
    "time",
    "queue",
    "asyncio",
    "asyncio.events",
    "asyncio.tasks",
    "asyncio.locks",
    "asyncio.queues",
    "concurrent.futures",
    "concurrent.futures.thread",
    "concurrent.futures.process",
    "multiprocessing",
    "subprocess",
    "socket",
    "selectors",
    "signal",
    "os",
    "pytest",
    "_pytest.runner",
    "_pytest.reports",
)
HARNESS_PREFIX = "graders."
HOOKS = frozenset({("threading", "excepthook")})
"""Names meant to be set: a submission may install its own hook for exceptions in threads."""

Key = tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    names: dict[Key, int]
    """(module, name) or (module, class, attribute) -> id of the object it was bound to."""
    _keep: tuple[object, ...]
    """The objects themselves, so that no id is reused while the snapshot lives."""
    _bindings: Callable[[], Iterator[tuple[Key, object]]]
    """This module's way to list them, bound at the snapshot (the submission may rebind the module's names)."""

    @classmethod
    def take(cls) -> Snapshot:
        bound = dict(_bindings())
        return cls({key: id(value) for key, value in bound.items()}, tuple(bound.values()), _bindings)

    def replaced(self) -> list[str]:
        """The names, as ``module.name``, bound to something else than at the snapshot, or deleted."""
        now = {key: id(value) for key, value in self._bindings()}
        return sorted(
            ".".join(key) for key, identity in self.names.items() if now.get(key) != identity and key not in HOOKS
        )


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _bindings(
    modules: dict[str, object] = sys.modules,
    module_type: type = ModuleType,
    watched: tuple[str, ...] = WATCHED_MODULES,
    prefix: str = HARNESS_PREFIX,
    dunder: Callable[[str], bool] = _dunder,
) -> Iterator[tuple[Key, object]]:
    # Everything it uses is bound as a default: the submission may rebind this module's names.
    for name, module in list(modules.items()):
        if not isinstance(module, module_type):
            continue
        if name.startswith(prefix):
            yield from (((name, attr), value) for attr, value in list(vars(module).items()) if not dunder(attr))
        elif name in watched:
            for attr, value in list(vars(module).items()):
                if attr.startswith("_") and name != "_thread":
                    continue
                yield (name, attr), value
                if isinstance(value, type) and value.__module__ == name:
                    yield from (((name, attr, a), v) for a, v in list(vars(value).items()) if not dunder(a))
