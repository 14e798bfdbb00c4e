"""How a kata's points split over its claims when partial credit is on.

Classroom sums integer scores (a fractional one shows as 0 in its CSV export), so a kata's points are
shared out in whole points.  The shares are spread evenly along the claims in grader order (claim
``i`` of ``n`` gets ``floor((i+1)P/n) - floor(iP/n)``), so they always add up to the kata's points,
and when a kata has more claims than points, the 0-point claims are spread along the list rather than
bunched at its end.
"""

from __future__ import annotations

from typing import Any

MODES = ("all-or-nothing", "partial")
"""``all-or-nothing``: a kata is worth its points when every claim passes, else 0 (the default).
``partial``: every claim that passes earns its share of the kata's points."""


def shares(points: int, claims: int) -> list[int]:
    """The whole points each of ``claims`` claims is worth; they sum to ``points``."""
    if claims <= 0:
        return []
    return [(i + 1) * points // claims - i * points // claims for i in range(claims)]


def claim_scores(kata: dict[str, Any]) -> list[tuple[dict[str, Any], int, int]]:
    """``(claim, score, max_score)`` for each claim of a scoreboard JSON kata entry, under partial credit."""
    claims = kata.get("claims", [])
    return [
        (claim, share if claim["status"] == "passed" else 0, share)
        for claim, share in zip(claims, shares(int(kata["points"]), len(claims)), strict=True)
    ]


def kata_score(kata: dict[str, Any], mode: str) -> int:
    """What a scoreboard JSON kata entry earns under ``mode``."""
    if mode == "partial":
        return sum(score for _, score, _ in claim_scores(kata))
    return int(kata["points"]) if kata["status"] == "passed" else 0


def claim_title(claim: dict[str, Any]) -> str:
    """A claim as a learner reads it: ``task 1 · counter starts at zero and adds by``."""
    words = claim["name"].removeprefix("test_").replace("_", " ")
    return f"task {claim['task']} · {words}" if claim.get("task") else words
