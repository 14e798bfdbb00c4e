"""The one failure format: what went wrong, the call, the contract, the evidence, the idea, the item.

Graders raise :func:`failure`; the conftest prints its text instead of a traceback, and the results
plugin stores it for the scoreboard.  A message never exceeds :data:`MAX_LINES` lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINES = 12
LABEL_WIDTH = 10


class ClaimFailed(AssertionError):
    """A claim about the learner's code does not hold; ``str()`` is the whole learner-facing message."""


@dataclass
class KataContext:
    """What a message says about the kata it belongs to (set per claim by the conftest)."""

    number: int = 0
    item: str = ""


context = KataContext()


def failure(
    what: str,
    *,
    called: str | None = None,
    contract: str | None = None,
    evidence: Iterable[str] = (),
    idea: str | None = None,
) -> ClaimFailed:
    """Build the failure for a broken claim; ``raise failure(...)`` in a grader.

    Args:
        what: one sentence in the learner's terms, e.g. "2 of 4 increments were lost."
        called: the call the grader made, as the learner would write it.
        contract: what KATAS.md promises for that call.
        evidence: lines of proof: counts, a timeline, a stack, a minimal example.
        idea: the concept to revisit; the kata's item is appended.
    """
    return ClaimFailed(render(what, called=called, contract=contract, evidence=list(evidence), idea=idea))


def render(
    what: str,
    *,
    called: str | None = None,
    contract: str | None = None,
    evidence: list[str] | None = None,
    idea: str | None = None,
) -> str:
    lines = [what.strip()]
    if called:
        lines.append(_labelled("called", called))
    if contract:
        lines.append(_labelled("contract", contract))
    item = f"Item {context.number}: {context.item}" if context.number else ""
    tail = [_labelled("idea", f"{idea} ({item})" if idea and item else idea or item)] if idea or item else []
    room = MAX_LINES - len(lines) - len(tail)
    evidence = [line.rstrip() for line in evidence or [] if line.strip()]
    if evidence:
        if len(evidence) > room:
            hidden = len(evidence) - (room - 1)
            evidence = [*evidence[: room - 1], f"… ({hidden} more lines)"]
        lines.append(_labelled("evidence", evidence[0]))
        lines.extend(" " * (LABEL_WIDTH + 2) + line for line in evidence[1:])
    lines.extend(tail)
    return "\n".join(lines)


def _labelled(label: str, text: str) -> str:
    return f"  {label + ':':<{LABEL_WIDTH}}{text}"


def short_repr(value: object, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters, for values shown in messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
