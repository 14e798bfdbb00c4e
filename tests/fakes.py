"""Fake grading results for the tools' tests: boards, documents, hints and batches without grading anything."""

from __future__ import annotations

from graders.manifest import kata
from tools.grading import Claim, KataResult


def result(number: int = 54, statuses: str = "ppf", *, message: str = "2 of 4 increments were lost.", **fields):
    """A KataResult for kata ``number`` with one claim per letter of ``statuses`` (p passed, f failed, n not run).

    Claim ``i`` is ``test_claim_<i>`` of task ``i + 1`` (capped at the kata's last task).
    """
    entry = kata(number)
    tasks = max(1, len(entry.tasks))
    names = {"p": "passed", "f": "failed", "n": "not run", "e": "error"}
    claims = [
        Claim(
            id=f"graders/test_{entry.name}.py::test_claim_{i}",
            name=f"test_claim_{i}",
            task=min(i + 1, tasks),
            status=names[letter],
            message="" if letter == "p" else message,
            duration=0.25,
        )
        for i, letter in enumerate(statuses)
    ]
    status = "passed" if claims and all(c.status == "passed" for c in claims) else "failed"
    values = {
        "number": entry.number,
        "slug": entry.slug,
        "title": entry.title,
        "points": entry.points,
        "submission": f"katas/{entry.name}.py",
        "status": status,
        "claims": claims,
        "duration": 1.5,
    }
    values.update(fields)
    return KataResult(**values)
