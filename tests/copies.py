"""A copy of the project in which a test or benchmark may let submissions edit files and grade them.

Run from the copy (``cwd=copy``), ``python -m tools.scoreboard`` imports the copy's own modules: the current
directory comes first on the path, ahead of the editable install.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from graders.manifest import ROOT

COPIED = ("graders", "tools", "katas", "katas.toml", "hints.toml", "pyproject.toml")


def copy_of_the_project(where: Path) -> Path:
    for name in COPIED:
        source, target = ROOT / name, where / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return where
