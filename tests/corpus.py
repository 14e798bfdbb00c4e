"""The submissions the project's own tests grade: references, mutants, hostile files, and their labels.

A mutant or hostile file's docstring carries its expectation after its first sentence:

    expect-fail: test_the_claim_it_must_fail          (mutants)
    expect-kata: 54                                   (hostile files)
    expect-words: lower-case, words, in the message
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import Kata, katas

TESTS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Labelled:
    path: Path
    kata: Kata
    claim: str | None
    words: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.kata.number}-{self.path.stem}"


def labels(path: Path) -> dict[str, str]:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    found = {}
    for line in docstring.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().startswith("expect-"):
            found[key.strip()] = value.strip()
    return found


def _labelled(path: Path, kata: Kata) -> Labelled:
    found = labels(path)
    words = tuple(w.strip() for w in found.get("expect-words", "").split(",") if w.strip())
    return Labelled(path, kata, found.get("expect-fail"), words)


def built() -> list[Kata]:
    return [k for k in katas() if k.built]


def references() -> list[Labelled]:
    return [_labelled(p, k) for k in built() for p in sorted((TESTS / "references" / k.name[:6]).glob("*.py"))]


def mutants() -> list[Labelled]:
    return [_labelled(p, k) for k in built() for p in sorted((TESTS / "mutants" / k.name[:6]).glob("*.py"))]


def hostile(folder: Path = TESTS / "hostile") -> list[Labelled]:
    by_number = {k.number: k for k in katas()}
    return [_labelled(p, by_number[int(labels(p)["expect-kata"])]) for p in sorted(folder.glob("*.py"))]


def hostile_to_the_tree() -> list[Labelled]:
    """Hostile files that edit the project's own files: graded only in a copy of the project."""
    return hostile(TESTS / "hostile" / "tree")
