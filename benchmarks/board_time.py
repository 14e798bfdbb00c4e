"""Wall time of the whole board for a fully correct set of submissions, sequential and with --jobs 2.

    python benchmarks/board_time.py [--repeat 3] [--hog 0]

Builds a copy of the project whose katas/ hold one reference solution per kata, runs the scoreboard there
(``python -m tools.scoreboard --jobs N``) ``--repeat`` times for each N, and prints the median and the
spread of the wall time, whether every board passed, and each kata's median grading time on the sequential
boards.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.flips import hog
from tests import corpus
from tests.copies import copy_of_the_project


def correct_board(where: Path) -> Path:
    copy = copy_of_the_project(where)
    chosen = {}
    for reference in corpus.references():
        chosen.setdefault(reference.kata.number, reference)
    for reference in chosen.values():
        (copy / "katas" / reference.kata.stub.name).write_bytes(reference.path.read_bytes())
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="boards per setting (default 3)")
    parser.add_argument("--hog", type=int, default=0, help="busy processes to run meanwhile (default 0)")
    args = parser.parse_args()
    hogs = [multiprocessing.Process(target=hog, args=(10**6,), daemon=True) for _ in range(args.hog)]
    for process in hogs:
        process.start()
    all_passed = True
    per_kata: dict[int, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            copy = correct_board(Path(scratch))
            for jobs in (1, 2):
                walls = []
                for _ in range(args.repeat):
                    start = time.monotonic()
                    done = subprocess.run(
                        [sys.executable, "-m", "tools.scoreboard", "--jobs", str(jobs), "--json", "-"],
                        cwd=copy,
                        capture_output=True,
                        text=True,
                    )
                    walls.append(time.monotonic() - start)
                    board = json.loads(done.stdout)
                    passed = board["katas_passed"] == board["katas_graded"] == len(board["katas"])
                    all_passed &= passed
                    if jobs == 1:
                        for graded in board["katas"]:
                            per_kata.setdefault(graded["number"], []).append(graded["duration"])
                    if not passed:
                        print("  not all passed:", [k["number"] for k in board["katas"] if k["status"] != "passed"])
                print(
                    f"--jobs {jobs}: median {statistics.median(walls):.1f} s, "
                    f"min {min(walls):.1f} s, max {max(walls):.1f} s over {len(walls)} boards"
                )
    finally:
        for process in hogs:
            process.terminate()
    medians = (f"{number} {statistics.median(times):.1f}" for number, times in sorted(per_kata.items()))
    print("median s per kata, sequential boards:", ", ".join(medians))
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
