"""``python -m graders NN [pytest options]``: grade kata NN's file with pytest (what ``tox -e kataNN`` runs)."""

from __future__ import annotations

import sys

import pytest

from graders import PYTEST_OPTIONS
from graders.manifest import kata


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m graders NN [pytest options]", file=sys.stderr)
        return 2
    try:
        entry = kata(argv[0])
    except (KeyError, ValueError) as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    if not entry.built:
        print(entry.not_built_reason(), file=sys.stderr)
        return 1
    print(f"Kata {entry.number} · {entry.title} (Item {entry.number}: {entry.item})")
    return int(pytest.main([str(entry.grader), *PYTEST_OPTIONS, "-q", *argv[1:]]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
