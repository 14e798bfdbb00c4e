"""Grade many submissions: each in its own process under its kata's budget, one or several at a time.

Parallel grading and verdicts that measure time
-----------------------------------------------
``jobs`` > 1 runs that many grading processes at once; each still grades one kata in its own process, with its
own budget and its own kill of the whole process group. Claims that measure time (one deadline for a call, a
heartbeat of the event loop, a measured speed-up) then run on a busier machine. The graders are built for that
up to a point: their time margins hold on a 2-core machine kept busy by two CPU hogs
(``benchmarks/flips.py --hog 2``), so at most one grading process per CPU runs at once (``effective_jobs``).

Verdicts are never retried: a grader whose verdict a busy machine could change is a grader bug, found by
``benchmarks/flips.py`` and fixed at its root, not hidden by grading again.  ``regrade=True`` (off by default;
``tools.batch --regrade-alone``) grades a failure again alone for an instructor who wants to see whether load
played a part; the result says so (``KataResult.regraded``). Failures that load cannot explain are never graded
twice: a stub that raises ``NotImplementedError``, a file that cannot be imported or lacks a name of the
contract, or a submission that ended the grading process itself (``os._exit``, a crash).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import Kata
from tools import grading
from tools.grading import KataResult

Grade = Callable[[Kata, Path | None], KataResult]


@dataclass(frozen=True)
class Job:
    """One grading to do: a kata, and the file to grade (None: the learner's own file)."""

    kata: Kata
    submission: Path | None = None


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def effective_jobs(requested: int) -> tuple[int, str]:
    """The number of gradings to run at once for ``--jobs requested``, and a note when it was lowered."""
    cpus = cpu_count()
    if requested <= cpus:
        return max(1, requested), ""
    return cpus, (
        f"--jobs {requested}: this machine has {cpus} CPU{'s' * (cpus != 1)}; grading {cpus} at a time "
        "(the graders' time margins hold up to one grading per CPU)"
    )


STATIC_FAILURES = (
    "not implemented yet",
    "has a syntax error at line",
    "could not be imported",
    "while being imported",
    "called sys.exit() while being imported",
    "has no `",
)
"""Words of the harness's messages (graders/harness/deadline.py, submission.py) for failures no machine load
causes: a stub, a file that cannot be imported, a missing name."""


def load_may_explain(result: KataResult) -> bool:
    """Whether a failure might be the doing of a busy machine, and so is worth grading again alone."""
    if result.passed or result.status == "not built" or result.end not in ("finished", "budget"):
        return False
    failing = [c for c in result.claims if c.status != "passed"]
    return not failing or not all(any(words in c.message for words in STATIC_FAILURES) for c in failing)


def grade_all(
    jobs: Sequence[Job],
    *,
    workers: int = 1,
    regrade: bool = False,
    grade: Grade | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[int, KataResult], None] | None = None,
) -> list[KataResult]:
    """Grade every job, ``workers`` at a time, and return the results in the order of ``jobs``.

    ``on_start(i)`` is called when job ``i`` starts grading (again, when it is re-graded alone), and
    ``on_done(i, result)`` once with its final result; both may be called from worker threads, never at the same
    time. Ctrl-C (KeyboardInterrupt) stops every grading process still running and is re-raised.
    """
    run = grade or (lambda kata, submission: grading.grade(kata, submission))
    results: list[KataResult | None] = [None] * len(jobs)
    lock = threading.Lock()

    def started(index: int) -> None:
        if on_start is not None:
            with lock:
                on_start(index)

    def done(index: int, result: KataResult) -> None:
        results[index] = result
        if on_done is not None:
            with lock:
                on_done(index, result)

    if workers <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            started(index)
            done(index, run(job.kata, job.submission))
        return [r for r in results if r is not None]

    stopping = threading.Event()

    def task(index: int) -> KataResult | None:
        if stopping.is_set():
            return None
        started(index)
        return run(jobs[index].kata, jobs[index].submission)

    doubtful: list[int] = []
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
    futures: dict[Future[KataResult | None], int] = {pool.submit(task, i): i for i in range(len(jobs))}
    try:
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index, result = futures[future], future.result()
                if result is None:
                    continue
                if regrade and load_may_explain(result):
                    doubtful.append(index)
                else:
                    done(index, result)
    except BaseException:
        stopping.set()
        for future in futures:
            future.cancel()
        while not all(f.done() for f in futures):
            grading.stop_all()
            wait(futures, timeout=0.1)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for index in sorted(doubtful):
        started(index)
        result = run(jobs[index].kata, jobs[index].submission)
        result.regraded = True
        done(index, result)
    return [r for r in results if r is not None]
