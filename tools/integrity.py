"""Notice, and undo, a submission's edits to the files that decide its verdict.

A grading process runs as the learner's own user, so it could rewrite a grader, add a ``conftest.py`` or a
``pytest.ini`` that pytest would load, or drop a ``.pth`` file into site-packages that runs at every
interpreter start.  Before each grading the grading tool takes a snapshot of those files (the graders and
the tools and the pytest configuration by content; the project's tests and the site directories' start-up
files by size and change time); after it, any difference fails the kata, and the files kept by content are
put back as they were.
"""

from __future__ import annotations

import contextlib
import os
import site
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import ROOT

watching = True
"""Whether grading snapshots these files and puts them back.  The project's own test process turns it off
(tests/conftest.py): there a developer editing a grader while tests run must not have the edit undone."""
KEEP_EDITS = "CONCURRENCY_KATAS_KEEP_EDITS"
restoring = os.environ.get(KEEP_EDITS, "") != "1"
"""Whether changed files are put back (they are always reported, and fail the kata).  A developer who edits
graders while a board grades in the same tree sets ``CONCURRENCY_KATAS_KEEP_EDITS=1``: otherwise the snapshot
taken before the edit is put back, and the next grading snapshots the undone file, so the undoing spreads.  A
submission cannot set it: it runs in the grading process, not the tool's, and a Classroom grading step passes
its command only PATH and HOME."""

RESTORED_TREES = ("graders", "tools")
WATCHED_TREES = ("tests",)
CONFIG_FILES = ("pyproject.toml", "katas.toml", "conftest.py", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg")
STARTUP_FILES = ("*.pth", "sitecustomize.py", "usercustomize.py")


@dataclass(frozen=True)
class Snapshot:
    files: dict[Path, bytes]
    """The graders, tools and pytest configuration (path -> content), put back if changed."""
    watched: dict[Path, tuple[int, int]]
    """The other files (path -> size and change time), only reported."""

    @classmethod
    def take(cls, root: Path = ROOT) -> Snapshot:
        restored = [*_files(root, RESTORED_TREES), *(p for p in (root / n for n in CONFIG_FILES) if p.is_file())]
        files = {path: path.read_bytes() for path in restored}
        watched = {}
        for path in [*_files(root, WATCHED_TREES), *_startup_files()]:
            with contextlib.suppress(OSError):
                stat = path.stat()
                watched[path] = (stat.st_size, stat.st_ctime_ns)
        return cls(files, watched)

    def changes(self, now: Snapshot) -> list[str]:
        """The watched files added, removed or changed since this snapshot, relative to ``ROOT`` when inside."""
        changed = [
            path
            for mine, theirs in ((self.files, now.files), (self.watched, now.watched))
            for path in mine.keys() | theirs.keys()
            if mine.get(path) != theirs.get(path)
        ]
        return sorted(_shown(p) for p in changed)

    def restore(self, now: Snapshot) -> None:
        """Put the files kept by content back as in this snapshot."""
        for path in now.files.keys() - self.files.keys():
            with contextlib.suppress(OSError):
                path.unlink()
        for path, content in self.files.items():
            if now.files.get(path) != content:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)


def _files(root: Path, trees: tuple[str, ...]) -> list[Path]:
    return [
        path
        for tree in trees
        for path in (root / tree).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


def _startup_files() -> list[Path]:
    directories = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    with contextlib.suppress(AttributeError):
        directories.add(site.getusersitepackages())
    return [p for d in sorted(directories) for pattern in STARTUP_FILES for p in Path(d).glob(pattern)]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
