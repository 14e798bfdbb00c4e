"""Find and import the learner's module; say what is missing in one sentence, never a traceback.

A submission is ``katas/kataNN_<topic>.py`` or any file given with ``--submission``.  It is imported
once per grading process, under the file's own name when that name is free (so its functions pickle
by reference, as kata 64 needs) and registered in ``sys.modules``.  An import that fails, exits or
raises is remembered and reported by every claim.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import linecache
import sys
import traceback
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from .messages import failure

_fresh_ids = itertools.count(1)


class Submission:
    """The learner's module, loaded lazily from ``path``."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        self.path = Path(path).resolve()
        self.display = display or self.path.name
        self._module: ModuleType | None = None
        self._import_error: str | None = None

    @property
    def module(self) -> ModuleType:
        """The imported module; a claim fails with one sentence if it cannot be imported."""
        if self._module is None and self._import_error is None:
            try:
                self._module = _load(self.path, _module_name(self.path))
            except BaseException as exc:
                self._import_error = self._describe_import_failure(exc)
        if self._module is None:
            raise failure(self._import_error or f"{self.display} could not be imported.")
        return self._module

    def get(self, name: str) -> Any:
        """A public name of the submission (``"Bank"``, ``"Bank.transfer"``)."""
        value: Any = self.module
        for part in name.split("."):
            try:
                value = getattr(value, part)
            except AttributeError:
                raise failure(
                    f"{self.display} has no `{name}`: keep every public name of the stub, "
                    "with the same spelling and signature."
                ) from None
        return value

    def load_fresh(self) -> ModuleType:
        """A new, separate copy of the module, executed now (after a grader patched ``threading``)."""
        self.module  # noqa: B018 - report an import failure the usual way first
        return _load(self.path, f"{_module_name(self.path)}__fresh{next(_fresh_ids)}")

    def owns(self, filename: str) -> bool:
        """Whether a code object's filename is the learner's file (called for every traced call)."""
        return _resolved(filename) == self.path if filename else False

    def _describe_import_failure(self, exc: BaseException) -> str:
        if isinstance(exc, SyntaxError):
            return f"{self.display} has a syntax error at line {exc.lineno}: {exc.msg}."
        if isinstance(exc, SystemExit):
            return f"{self.display} called sys.exit() while being imported: remove code that runs at import."
        where = self.line_of(exc.__traceback__)
        return (
            f"{self.display} raised {type(exc).__name__}: {exc} while being imported"
            f"{f' ({where})' if where else ''}: a module should only define its names at import."
        )

    def line_of(self, tb: TracebackType | None) -> str:
        """``kata54_lock.py:12`` for the innermost frame of ``tb`` in the learner's file, or ``""``."""
        frames = [f for f in traceback.extract_tb(tb) if self.owns(f.filename)]
        return f"{self.path.name}:{frames[-1].lineno}" if frames else ""

    def source_line(self, line: int) -> str:
        """The stripped text of one line of the learner's file."""
        return linecache.getline(str(self.path), line).strip()

    def not_implemented_name(self, exc: BaseException) -> str | None:
        """For a ``NotImplementedError`` raised in the learner's file, the qualified name it came from."""
        if not isinstance(exc, NotImplementedError):
            return None
        tb, name = exc.__traceback__, None
        while tb is not None:
            if self.owns(tb.tb_frame.f_code.co_filename):
                name = tb.tb_frame.f_code.co_qualname
            tb = tb.tb_next
        return name


@functools.lru_cache(maxsize=4096)
def _resolved(filename: str) -> Path:
    return Path(filename).resolve()


def _module_name(path: Path) -> str:
    """The file's own stem when it is a free identifier, else a prefixed one."""
    stem = path.stem
    existing = sys.modules.get(stem)
    if stem.isidentifier() and (existing is None or getattr(existing, "__file__", None) == str(path)):
        return stem
    return f"submission_{stem}" if stem.isidentifier() else "submission"


def _load(path: Path, name: str) -> ModuleType:
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) == str(path):
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))  # spawned children import the module by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
