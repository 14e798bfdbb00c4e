"""Find the project's reference solutions, mutants and hostile submissions in a tree, by content.

A learner template must carry none of them, wherever they sit and whatever they are called.  The
fingerprints of a corpus file are:

- its whole text (a copy under any name);
- every function or method it defines (decorators and body, docstring left out) with at least two
  statements, unless the kata's stub defines the very same function -- so a reference pasted into a
  stub, a grader or a helper module is found, and the stub's own scaffolding is not;
- its corpus labels (``expect-fail:``, ``expect-kata:``), which only corpus files carry.

``.py`` files in the tree are compared by syntax tree; any other text file by the functions' source.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import ROOT, katas

CORPUS_DIRS = ("tests/references", "tests/mutants", "tests/hostile")
LABELS = tuple(f"expect-{kind}:" for kind in ("fail", "kata"))
"""The labels of mutant and hostile files (tests/corpus.py), spelt so that this file does not carry them."""
SKIPPED_DIRS = {".git", ".venv", ".tox", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Spoiler:
    path: Path
    """The file in the scanned tree."""
    source: str
    """The corpus file it carries code of, relative to the project root."""
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what} of {self.source}"


@dataclass(frozen=True)
class Fingerprints:
    digests: dict[str, str]
    """sha256 of a corpus file's text -> the file."""
    functions: dict[str, tuple[str, str]]
    """``ast.dump`` of a function -> (the file, its source text)."""


def corpus_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in CORPUS_DIRS for p in (root / d).rglob("*.py") if "__pycache__" not in p.parts)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _dump(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function's shape: name, arguments, decorators and body, without its docstring."""
    body = node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        body = body[1:]
    copy = type(node)(**{**{f: getattr(node, f) for f in node._fields}, "body": body})
    return ast.dump(copy, annotate_fields=False, include_attributes=False)


def _statements(node: ast.AST) -> int:
    return sum(isinstance(n, ast.stmt) for n in ast.walk(node)) - 1


def _stub_of(path: Path, root: Path) -> Path | None:
    for entry in katas():
        if f"kata{entry.number}" in path.relative_to(root).as_posix():
            return root / "katas" / f"{entry.name}.py"
    return None


def fingerprints(root: Path = ROOT) -> Fingerprints:
    """The fingerprints of every reference, mutant and hostile file of the project at ``root``."""
    digests: dict[str, str] = {}
    functions: dict[str, tuple[str, str]] = {}
    scaffolding: dict[Path | None, set[str]] = {}
    for path in corpus_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:  # renamed or removed while we looked: nothing to fingerprint
            continue
        shown = path.relative_to(root).as_posix()
        digests[hashlib.sha256(text.encode()).hexdigest()] = shown
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        stub = _stub_of(path, root)
        if stub not in scaffolding:
            scaffolding[stub] = _shapes(stub)
        lines = text.splitlines(keepends=True)
        for node in _functions(tree):
            shape = _dump(node)
            if _statements(node) >= 2 and shape not in scaffolding[stub]:
                functions.setdefault(shape, (shown, _segment(lines, node)))
    return Fingerprints(digests, functions)


def _shapes(stub: Path | None) -> set[str]:
    """The shapes of the functions a stub defines (its scaffolding, which is no spoiler)."""
    if stub is None or not stub.exists():
        return set()
    return {_dump(f) for f in _functions(ast.parse(stub.read_text(encoding="utf-8")))}


def _segment(lines: list[str], node: ast.AST) -> str:
    """The source text of ``node`` (``ast.get_source_segment``, without re-splitting the file per call)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    start, end = node.col_offset, node.end_col_offset
    chosen = [line.encode() for line in lines[first : last + 1]]
    if not chosen or end is None:
        return ""
    chosen[-1] = chosen[-1][:end]
    chosen[0] = chosen[0][start:]
    return b"".join(chosen).decode(errors="replace")


def _files(tree: Path) -> Iterator[Path]:
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(tree).parts):
            yield path


def scan(tree: Path, prints: Fingerprints | None = None) -> list[Spoiler]:
    """Every place in ``tree`` that carries corpus code or labels, or sits in a corpus-named directory."""
    prints = prints or fingerprints()
    found = []
    for path in _files(tree):
        parts = set(path.relative_to(tree).parts[:-1])
        for name in ("references", "mutants", "hostile"):
            if name in parts:
                found.append(Spoiler(path, f"tests/{name}", "a file under a directory named like the corpus's"))
        data = path.read_bytes()
        source = prints.digests.get(hashlib.sha256(data).hexdigest())
        if source:
            found.append(Spoiler(path, source, "a copy"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        found += [Spoiler(path, "the corpus", f"the label {label!r}") for label in LABELS if label in text]
        found += _functions_in(path, text, prints)
    return found


def _functions_in(path: Path, text: str, prints: Fingerprints) -> list[Spoiler]:
    if path.suffix == ".py":
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = None
        if tree is not None:
            hits = [prints.functions.get(_dump(node)) for node in _functions(tree)]
            return [Spoiler(path, hit[0], "a function") for hit in hits if hit]
    return [
        Spoiler(path, source, "a function's source")
        for source, segment in prints.functions.values()
        if segment and segment in text
    ]
