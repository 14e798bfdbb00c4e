"""How late correct code raises at its deadline: the measurement behind katas 52 and 53's ``MARGIN``.

    python benchmarks/lateness.py [--repeat 25] [--hog 4] [--record FILE]

Calls every reference of katas 52 and 53 in the deadline scenarios their graders use, with the graders' own
timeouts and durations (a child or a fetch that never ends, a batch where one deadline must win), and measures
how long after ``timeout`` the TimeoutExpired / TimeoutError came, while ``--hog`` busy processes load the
machine.  Prints, per
scenario, the median, 95th percentile and worst lateness and the load average it was measured under.
A grader's margin for "raised at the deadline" should be many times the worst lateness seen here.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.flips import hog
from graders import test_kata52_subprocess as kata52
from graders import test_kata53_threads as kata53
from graders.harness.submission import Submission
from tests import corpus

FOREVER = kata52.py(kata52.SLEEP)


def lateness(call: Callable[[], object], timeout: float) -> tuple[float, str]:
    """Seconds after ``timeout`` at which ``call`` ended, and what it raised."""
    start = time.perf_counter()
    try:
        call()
        raised = "nothing"
    except Exception as exc:
        raised = type(exc).__name__
    return time.perf_counter() - start - timeout, raised


def fetch_scenarios(reference: ModuleType) -> Iterator[tuple[str, float, str]]:
    """Kata 53's grader: a fetch that never returns, and fetches that end before and after one deadline."""
    release = threading.Event()
    try:

        def hung(url: str) -> str:
            return "late" if url == "u1" and release.wait() else "page"

        timeout = kata53.HUNG_TIMEOUT
        yield (
            f"53 hung fetch, timeout {timeout:g}",
            *lateness(lambda: reference.fetch_all(["u0", "u1", "u2"], hung, timeout=timeout), timeout),
        )
        takes, deadline = kata53.DEADLINE_TAKES, kata53.DEADLINE_TIMEOUT

        def slow(url: str) -> str:
            return "late" if release.wait(takes[url]) else "page"

        yield (
            f"53 one deadline, timeout {deadline:g}",
            *lateness(lambda: reference.fetch_all(list(takes), slow, timeout=deadline), deadline),
        )
    finally:
        release.set()


def child_scenarios(reference: ModuleType) -> Iterator[tuple[str, float, str]]:
    """Kata 52's grader: children that never end, and a batch where one deadline must win."""
    timeout = kata52.KILL_TIMEOUT
    yield f"52 run, timeout {timeout:g}", *lateness(lambda: reference.run(FOREVER, timeout=timeout), timeout)
    yield (
        f"52 run_all of 3, timeout {timeout:g}",
        *lateness(lambda: reference.run_all([FOREVER] * 3, timeout=timeout), timeout),
    )
    yield (
        f"52 pipeline of 2, timeout {timeout:g}",
        *lateness(lambda: reference.pipeline([FOREVER] * 2, b"x", timeout=timeout), timeout),
    )
    (first, second), deadline = kata52.BATCH_ENDS, kata52.BATCH_TIMEOUT
    batch = [[kata52.SLEEP_BIN, f"{first:g}"], kata52.py(f"import time; time.sleep({second})"), FOREVER]
    yield (
        f"52 run_all one deadline, timeout {deadline:g}",
        *lateness(lambda: reference.run_all(batch, timeout=deadline), deadline),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="rounds over every reference (default 25)")
    parser.add_argument("--hog", type=int, default=4, help="busy processes to run meanwhile (default 4)")
    parser.add_argument("--record", type=Path, help="append every measurement to FILE as a JSON line")
    args = parser.parse_args()
    references = [(r.kata.number, Submission(r.path).module) for r in corpus.references() if r.kata.number in (52, 53)]
    hogs = [multiprocessing.Process(target=hog, args=(10**6,), daemon=True) for _ in range(args.hog)]
    for process in hogs:
        process.start()
    seen: dict[str, list[float]] = defaultdict(list)
    loads: list[float] = []
    wrong = 0
    try:
        for _ in range(args.repeat):
            for number, reference in references:
                for scenario, late, raised in (fetch_scenarios if number == 53 else child_scenarios)(reference):
                    load_average = os.getloadavg()[0]
                    seen[scenario].append(late)
                    loads.append(load_average)
                    wrong += raised not in ("TimeoutError", "TimeoutExpired")
                    if args.record:
                        record = {"scenario": scenario, "reference": reference.__name__, "late": round(late, 4)}
                        record |= {"raised": raised, "python": sys.version.split()[0], "load": load_average}
                        with args.record.open("a") as out:
                            out.write(json.dumps(record) + "\n")
    finally:
        for process in hogs:
            process.terminate()
    print(f"{'scenario':40} {'calls':>5} {'median s':>9} {'p95 s':>7} {'worst s':>8}")
    for scenario, values in seen.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{scenario:40} {len(values):5} {statistics.median(values):9.3f} {p95:7.3f} {values[-1]:8.3f}")
    print(f"load average: median {statistics.median(loads):.1f}, worst {max(loads):.1f}; wrong outcomes: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
