"""The scoreboard: grade the katas, each in its own process under its own budget, and print the board.

    python -m tools.scoreboard                      every kata in katas/
    python -m tools.scoreboard --kata 54            only kata 54 (repeat --kata for more)
    python -m tools.scoreboard --kata 54 --submission path/to/file.py
    python -m tools.scoreboard --json results.json  also write the results as JSON ('-' for stdout)

Exit status: 0 when every kata graded passed every claim, 1 when any failed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from graders.manifest import Kata, kata, katas
from tools.grading import KataResult, grade

JSON_VERSION = 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.scoreboard", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--kata",
        action="append",
        metavar="NN",
        default=[],
        help="grade only this kata (52-64); repeat for more",
    )
    parser.add_argument(
        "--submission",
        metavar="FILE",
        type=Path,
        help="grade FILE instead of katas/kataNN_<topic>.py (needs exactly one --kata)",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT ('-' for stdout)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show every claim, not only the first failure")
    args = parser.parse_args(argv)
    try:
        args.katas = [kata(n) for n in args.kata] if args.kata else list(katas())
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    if args.submission is not None and len(args.kata) != 1:
        parser.error("--submission grades one file: give exactly one --kata with it")
    if args.submission is not None and not args.submission.is_file():
        parser.error(f"--submission {args.submission}: no such file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if args.json == "-" else sys.stdout
    explicit = bool(args.kata)
    results = []
    for entry in args.katas:
        if not entry.built and not explicit:
            continue
        result = grade(entry, args.submission)
        results.append(result)
        print_line(result, out, verbose=args.verbose)
    print_totals(results, out)
    if args.json:
        write_json(results, args.json)
    return 0 if results and all(r.passed for r in results) else 1


def print_line(result: KataResult, out: TextIO, *, verbose: bool) -> None:
    if result.status == "not built":
        print(f"· {result.number} {result.title:<38} {result.reason}", file=out)
        return
    mark = "✓" if result.passed else "✗"
    claims = f"{result.claims_passed}/{len(result.claims)} claims"
    print(f"{mark} {result.number} {result.title:<38} {claims:>12}  {result.duration:5.1f} s", file=out)
    shown = result.claims if verbose else [c for c in [result.first_failure()] if c]
    for claim in shown:
        print(f"    {'✓' if claim.status == 'passed' else '✗'} {claim.name}", file=out)
        if claim.status != "passed":
            for line in (claim.message or claim.status).splitlines():
                print(f"      {line}", file=out)
    if result.reason and not result.passed:
        print(f"    ({result.reason.splitlines()[0]})", file=out)
    out.flush()


def print_totals(results: list[KataResult], out: TextIO) -> None:
    graded = [r for r in results if r.status != "not built"]
    passed = sum(r.passed for r in graded)
    print(
        f"\n{passed}/{len(graded)} katas passed, {sum(r.score for r in graded)}/{sum(r.points for r in graded)} points",
        file=out,
    )
    failing = next((r for r in graded if not r.passed), None)
    if failing is not None:
        entry: Kata = kata(failing.number)
        print(
            f"Next kata: {entry.number} · {entry.title}. Edit {failing.submission} and run `tox -e {entry.tox_env}`.",
            file=out,
        )


def write_json(results: list[KataResult], target: str) -> None:
    document: dict[str, Any] = {
        "version": JSON_VERSION,
        "passed": bool(results) and all(r.passed for r in results),
        "score": sum(r.score for r in results),
        "max_score": sum(r.points for r in results if r.status != "not built"),
        "katas": [r.to_json() for r in results],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the board piped into `head`: stop quietly, as json.tool does
        sys.stderr.close()
        sys.exit(1)
