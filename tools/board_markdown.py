"""The board as Markdown, from the scoreboard's JSON: for a GitHub Actions job summary.

    python -m tools.scoreboard --json board.json
    python -m tools.board_markdown board.json >> "$GITHUB_STEP_SUMMARY"

Several JSON files (one per kata, as the Classroom workflow writes them) make one board.  A missing or
unreadable file is named on the board rather than failing the step: the summary is a report, and the
grading steps already decided the verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tools.credit import claim_title, kata_score

MARKS = {"passed": "✅", "failed": "❌", "not built": "·"}


def load(paths: list[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """The kata entries of every readable document (by number, the last one wins) and the problems."""
    entries: dict[int, dict[str, Any]] = {}
    problems = []
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            for entry in document["katas"]:
                entries[int(entry["number"])] = entry
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}: {type(exc).__name__}: {exc}")
    return [entries[n] for n in sorted(entries)], problems


def render(katas: list[dict[str, Any]], *, mode: str = "all-or-nothing", problems: list[str] = ()) -> str:
    """The board: a table of katas, totals, then the first failing claim of each failing kata."""
    graded = [k for k in katas if k["status"] != "not built"]
    score = sum(kata_score(k, mode) for k in graded)
    points = sum(int(k["points"]) for k in graded)
    lines = [
        "## Concurrency katas",
        "",
        f"**{sum(k['status'] == 'passed' for k in graded)}/{len(graded)} katas passed, {score}/{points} points**"
        + (" (partial credit per claim)" if mode == "partial" else ""),
        "",
        "| | kata | claims | points | time |",
        "|---|---|---|---|---|",
    ]
    for k in katas:
        if k["status"] == "not built":
            lines.append(f"| · | {k['number']} · {_cell(k['title'])} | not built | | |")
            continue
        claims = f"{k['claims_passed']}/{k['claims_total']}"
        earned = f"{kata_score(k, mode)}/{k['points']}"
        lines.append(
            f"| {MARKS.get(k['status'], '?')} | {k['number']} · {_cell(k['title'])} | {claims} | {earned} "
            f"| {float(k.get('duration', 0.0)):.1f} s |"
        )
    for k in graded:
        if k["status"] != "passed":
            lines += ["", *_failure(k)]
    if problems:
        lines += ["", "Results that could not be read:", *(f"- `{p}`" for p in problems)]
    return "\n".join(lines) + "\n"


def _failure(kata: dict[str, Any]) -> list[str]:
    first = next((c for c in kata.get("claims", []) if c["status"] != "passed"), None)
    heading = f"{kata['number']} · {kata['title']}"
    if first is None:
        text = kata.get("reason") or "the kata did not pass"
        return [f"<details><summary>{_html(heading)}</summary>", "", _fence(text), "", "</details>"]
    text = first.get("message") or first["status"]
    if kata.get("reason"):
        text += f"\n({kata['reason'].splitlines()[0]})"
    summary = f"{heading}: {claim_title(first)}"
    return [f"<details><summary>{_html(summary)}</summary>", "", _fence(text), "", "</details>"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.board_markdown", description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="+", type=Path, help="scoreboard JSON files (--json OUT of tools.scoreboard)")
    parser.add_argument("--partial-credit", action="store_true", help="count each passing claim's share of points")
    args = parser.parse_args(argv)
    katas, problems = load(args.json)
    sys.stdout.write(render(katas, mode="partial" if args.partial_credit else "all-or-nothing", problems=problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
