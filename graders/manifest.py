"""The kata manifest (``katas.toml``): the one list of katas every tool and grader reads."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "katas.toml"


@dataclass(frozen=True)
class Kata:
    """One kata: the item it drills, where its files live, what grading it may cost."""

    number: int
    slug: str
    title: str
    item: str
    budget: float
    points: int
    tasks: tuple[str, ...]

    @property
    def name(self) -> str:
        """``kata54_lock``: the stem of the learner's file and of the grader's."""
        return f"kata{self.number}_{self.slug}"

    @property
    def stub(self) -> Path:
        return ROOT / "katas" / f"{self.name}.py"

    @property
    def grader(self) -> Path:
        return ROOT / "graders" / f"test_{self.name}.py"

    @property
    def built(self) -> bool:
        """Whether the kata has its stub and grader yet (the manifest lists all 13 from the start)."""
        return self.stub.exists() and self.grader.exists()

    @property
    def tox_env(self) -> str:
        return f"kata{self.number}"

    def not_built_reason(self) -> str:
        return (
            f"kata {self.number} ({self.title}) is not built yet: "
            f"{self.stub.relative_to(ROOT)} and its grader arrive in a later release."
        )


@cache
def katas() -> tuple[Kata, ...]:
    """Every kata of the manifest, in order."""
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(
        Kata(
            number=int(entry["number"]),
            slug=entry["slug"],
            title=entry["title"],
            item=entry["item"],
            budget=float(entry["budget"]),
            points=int(entry["points"]),
            tasks=tuple(entry["tasks"]),
        )
        for entry in data["kata"]
    )


def kata(number: int | str) -> Kata:
    """The kata with this number (``54``, ``"54"`` or ``"kata54"``); KeyError if there is none."""
    wanted = int(str(number).removeprefix("kata"))
    for entry in katas():
        if entry.number == wanted:
            return entry
    raise KeyError(f"there is no kata {number!r}; the katas are {katas()[0].number}-{katas()[-1].number}")


def kata_of_grader(path: str | Path) -> Kata:
    """The kata a grader file belongs to, from its name ``test_kataNN_<slug>.py``."""
    stem = Path(path).stem.removeprefix("test_")
    return kata(stem.split("_", 1)[0])
