"""Table the verdicts that ``flips.py --record`` appended: flips and repetitions per kata and Python.

    python benchmarks/flip_table.py RECORDS.jsonl [MORE.jsonl ...] [--commit abc1234]

For each kata and Python: how many gradings, how many flips, and the fewest repetitions any one of its
references and mutants got (the number to quote as "R").  Every flip is listed with its reason.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", type=Path)
    parser.add_argument("--commit", action="append", help="count only records of this commit; repeat for more")
    args = parser.parse_args()
    entries = [json.loads(line) for path in args.records for line in path.read_text().splitlines() if line.strip()]
    if args.commit:
        entries = [e for e in entries if e["commit"] in args.commit]
    pythons = sorted({e["python"] for e in entries})
    reps: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    flips: dict[tuple[int, str], list[str]] = defaultdict(list)
    for e in entries:
        key = (e["kata"], e["python"])
        reps[key][e["submission"]] += 1
        if not e["right"]:
            flips[key].append(f"{e['submission']} ({e['why']})")
    print("kata  " + "  ".join(f"{p:>22}" for p in pythons) + "   (gradings / flips / fewest repetitions)")
    for kata in sorted({k for k, _ in reps}):
        cells = []
        for python in pythons:
            counted = reps.get((kata, python))
            cell = "-"
            if counted:
                cell = f"{sum(counted.values())} / {len(flips[kata, python])} / R={min(counted.values())}"
            cells.append(f"{cell:>22}")
        print(f"{kata:>4}  " + "  ".join(cells))
    for python in pythons:
        loads = sorted(e["load"] for e in entries if e["python"] == python and "load" in e)
        if loads:
            print(f"  load average on {python}: median {statistics.median(loads):.1f}, worst {loads[-1]:.1f}")
        mutants = [e for e in entries if e["python"] == python and e["expect"] != "pass"]
        alone = sum(e.get("graded") == "its claim" for e in mutants)
        if alone:
            print(f"  mutants on {python} graded on their claim alone: {alone} of {len(mutants)}")
    for (kata, python), found in sorted(flips.items()):
        for flip in found:
            print(f"  flip {kata} on {python}: {flip}")
    return 1 if any(flips.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
