"""Grade every reference and mutant of some katas R times while a CPU hog keeps both cores busy.

    python benchmarks/flips.py --kata 53 --kata 54 --repeat 20 [--hog 2] [--jobs 1] [--record FILE]

A flip is a verdict that differs from the expected one: a reference that fails, or a mutant that
passes or fails another claim than the one it names.  Prints a table of flips per kata and the
median and worst grading time per kata for the references (a correct submission).  With ``--record`` every
verdict is appended to FILE as a JSON line (commit, Python, submission, right or not, duration), so that
runs on several machines or days add up: ``benchmarks/flip_table.py FILE...`` tables them.

With ``--mutant-claim-only`` a mutant is graded on the claim meant for it alone (as the project's tests
do): a mutant fails the board whenever that claim fails, and a whole-kata grading of a mutant mostly waits on
the deadlines of its other claims.  References are always graded whole, as the board does.

With ``--hog 0`` the load comes from elsewhere (say one hog shared by a run per Python); every recorded
verdict carries the one-minute load average at its end, so the table can say what load it was measured under.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graders.manifest import ROOT, kata
from tests import corpus
from tools.grading import grade


def hog(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def verdict_is_right(item: corpus.Labelled, expect_pass: bool, claim_only: bool = False) -> tuple[bool, float, str]:
    result = grade(item.kata, item.path, only=[item.claim] if claim_only and not expect_pass else ())
    if expect_pass:
        failed = result.first_failure()
        return result.passed, result.duration, "" if result.passed else (failed.name if failed else result.reason)
    claim = next((c for c in result.claims if c.name == item.claim), None)
    right = claim is not None and claim.status == "failed" and all(w in claim.message.lower() for w in item.words)
    return right, result.duration, "" if right else f"{item.claim}: {claim.status if claim else 'missing'}"


@functools.cache
def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def record(
    path: Path,
    item: corpus.Labelled,
    expect_pass: bool,
    right: bool,
    duration: float,
    why: str,
    hog: int,
    claim_only: bool,
) -> None:
    entry = {
        "commit": commit(),
        "python": platform.python_version(),
        "kata": item.kata.number,
        "submission": str(item.path.relative_to(ROOT)),
        "expect": "pass" if expect_pass else item.claim,
        "graded": "whole kata" if expect_pass or not claim_only else "its claim",
        "right": right,
        "duration": duration,
        "why": why,
        "hog": hog,
        "load": round(os.getloadavg()[0], 2),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with path.open("a") as out:
        out.write(json.dumps(entry) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kata", action="append", required=True, help="kata number; repeat for more")
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of every submission (default 20)")
    parser.add_argument("--mutant-repeat", type=int, help="repetitions of every mutant (default: --repeat)")
    parser.add_argument("--hog", type=int, default=2, help="busy processes to run meanwhile (default 2)")
    parser.add_argument("--jobs", type=int, default=1, help="grades at once (default 1)")
    parser.add_argument("--record", type=Path, help="append every verdict to this file as a JSON line")
    parser.add_argument(
        "--mutant-claim-only",
        action="store_true",
        help="grade a mutant on the claim meant for it alone, as the project's tests do (references always run whole)",
    )
    args = parser.parse_args()
    numbers = {kata(n).number for n in args.kata}
    references = [(r, True) for r in corpus.references() if r.kata.number in numbers]
    mutants = [(m, False) for m in corpus.mutants() if m.kata.number in numbers]
    mutant_repeat = args.repeat if args.mutant_repeat is None else args.mutant_repeat
    hogs = [multiprocessing.Process(target=hog, args=(10**6,), daemon=True) for _ in range(args.hog)]
    for process in hogs:
        process.start()
    flips: dict[int, list[str]] = defaultdict(list)
    times: dict[int, list[float]] = defaultdict(list)
    runs: dict[int, int] = defaultdict(int)
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            for round_ in range(max(args.repeat, mutant_repeat)):
                work = (references if round_ < args.repeat else []) + (mutants if round_ < mutant_repeat else [])
                for (item, expect_pass), (right, duration, why) in zip(
                    work, pool.map(lambda w: verdict_is_right(*w, args.mutant_claim_only), work), strict=True
                ):
                    runs[item.kata.number] += 1
                    if args.record:
                        record(args.record, item, expect_pass, right, duration, why, args.hog, args.mutant_claim_only)
                    if expect_pass:
                        times[item.kata.number].append(duration)
                    if not right:
                        flips[item.kata.number].append(f"{item.path.name} ({why})")
    finally:
        for process in hogs:
            process.terminate()
    print(f"{'kata':>4}  {'grades':>6}  {'flips':>5}  {'median s':>8}  {'worst s':>7}   (references' grading time)")
    for number in sorted(numbers):
        t = times[number]
        median, worst = (f"{statistics.median(t):.2f}", f"{max(t):.2f}") if t else ("-", "-")
        print(f"{number:>4}  {runs[number]:>6}  {len(flips[number]):>5}  {median:>8}  {worst:>7}")
        for flip in flips[number]:
            print(f"      flip: {flip}")
    return 1 if any(flips.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
