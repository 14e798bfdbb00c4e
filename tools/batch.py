"""Batch grading for an instructor: many students' files, each graded in isolation, into one table.

    python -m tools.batch SUBMISSIONS --kata 54            SUBMISSIONS/<student>.py, each a kata 54 file
    python -m tools.batch SUBMISSIONS                      SUBMISSIONS/<student>/.../kataNN_<topic>.py
    python -m tools.batch SUBMISSIONS --kata 54 --kata 55  only those katas of each student's folder

Two layouts, which may be mixed: a file directly in SUBMISSIONS is one student's file for the one kata given with
--kata (the student is the file's name without .py); a folder is one student (its name), and every file in it
named like a kata's file (kataNN_<topic>.py, at any depth: a cloned repository works) is graded, or only the
katas given with --kata, a missing one being reported as missing. Hidden files and folders are skipped.

Every file is graded as the scoreboard grades: its own process, its kata's budget (or --budget), the verdict only
from the grader's records. Several at once with --jobs (default: one per CPU). --regrade-alone also grades each
failure again, alone, and marks it (for an instructor who wants to see whether load played a part).

Writes to --out (default: SUBMISSIONS-grades beside SUBMISSIONS):
    grades.csv    one row per student and kata, one column per claim (passed / failed / error / not run)
    grades.json   the same with every claim's message (each submission as a scoreboard kata entry)
    summary.md    the table, and the claims failed most
and prints the table and the claims failed most. Exit status: 0 once every file is graded, whatever the
verdicts; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from graders.manifest import Kata, kata
from tools import board, document, runner
from tools.grading import KataResult, grade

VERSION = 1
KATA_FILE = re.compile(r"^kata(\d+)_\w+\.py$")
ENDINGS = {
    "budget": "stopped at the kata's budget",
    "early": "the file ended the grading process",
    "limit": "stopped for using too much memory or too many processes",
    "forged": "the file tampered with the grading records",
    "tampered": "the file edited the grader's files",
}


@dataclass(frozen=True)
class Submission:
    """One student's file for one kata (``path`` None: the student has no file for it)."""

    student: str
    kata: Kata
    path: Path | None


def collect(root: Path, wanted: list[Kata]) -> list[Submission]:
    """The submissions under ``root`` in both layouts, sorted by student then kata."""
    found: list[Submission] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_file() and entry.suffix == ".py":
            if len(wanted) != 1:
                raise ValueError(f"{entry}: a file directly in {root} needs exactly one --kata to say which kata")
            found.append(Submission(entry.stem, wanted[0], entry))
        elif entry.is_dir():
            found += _student_folder(entry, wanted)
    return sorted(found, key=lambda s: (s.student.lower(), s.kata.number))


def _student_folder(folder: Path, wanted: list[Kata]) -> list[Submission]:
    files: dict[int, Path] = {}
    for path in sorted(folder.rglob("kata*.py"), key=lambda p: (len(p.parts), str(p))):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        match = KATA_FILE.match(path.name)
        if match and int(match.group(1)) not in files:
            files[int(match.group(1))] = path
    if wanted:
        return [Submission(folder.name, k, files.get(k.number)) for k in wanted]
    return [Submission(folder.name, kata(n), p) for n, p in sorted(files.items()) if kata(n).built]


def missing(submission: Submission) -> KataResult:
    entry = submission.kata
    return KataResult(entry.number, entry.slug, entry.title, entry.points, "", "failed", reason="no file", end="none")


def grade_batch(
    submissions: list[Submission],
    *,
    workers: int,
    regrade: bool = False,
    budget: float | None = None,
    live: board.LiveBoard | None = None,
    grader: runner.Grade | None = None,
) -> list[dict[str, Any]]:
    """Grade every submission that has a file; return one row per submission (see :func:`row`)."""
    present = [s for s in submissions if s.path is not None]
    positions = [i for i, s in enumerate(submissions) if s.path is not None]
    run = grader or (lambda k, path: grade(k, path, budget=budget))
    rows: dict[int, dict[str, Any]] = {}

    def show(position: int, entry: dict[str, Any]) -> None:
        rows[position] = entry
        if live is not None:
            live.finished(position, entry)

    for position, submission in enumerate(submissions):
        if submission.path is None:
            show(position, row(submission, missing(submission)))
    runner.grade_all(
        [runner.Job(s.kata, s.path) for s in present],
        workers=workers,
        regrade=regrade,
        grade=run,
        on_start=(lambda index: live.started(positions[index])) if live is not None else None,
        on_done=lambda index, result: show(positions[index], row(present[index], result)),
    )
    return [rows[i] for i in range(len(submissions))]


def row(submission: Submission, result: KataResult) -> dict[str, Any]:
    """A submission's scoreboard kata entry, with the student and the file."""
    entry = document.kata_entry(result)
    status = "missing" if submission.path is None else entry["status"]
    return {"student": submission.student, "file": str(submission.path or ""), **entry, "status": status}


def claim_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every claim of every kata graded, with how many graded submissions failed it and failed it first."""
    claims: dict[tuple[int, str], dict[str, Any]] = {}
    graded: Counter[int] = Counter()
    for entry in rows:
        if entry["status"] == "missing":
            continue
        graded[entry["number"]] += 1
        first = next((c["name"] for c in entry["claims"] if c["status"] != "passed"), None)
        for claim in entry["claims"]:
            key = (entry["number"], claim["name"])
            item = claims.setdefault(
                key,
                {"kata": entry["number"], "name": claim["name"], "task": claim["task"], "failed": 0, "first": 0},
            )
            item["failed"] += claim["status"] != "passed"
            item["first"] += claim["name"] == first
    for item in claims.values():
        item["of"] = graded[item["kata"]]
    return sorted(claims.values(), key=lambda c: (-c["failed"], -c["first"], c["kata"]))


def to_json(rows: list[dict[str, Any]], *, root: Path, jobs: int, duration: float) -> dict[str, Any]:
    students: dict[str, list[dict[str, Any]]] = {}
    for entry in rows:
        students.setdefault(entry["student"], []).append(entry)
    return {
        "version": VERSION,
        "tool": "tools.batch",
        "submissions": str(root),
        "jobs": jobs,
        "duration": round(duration, 2),
        "students": [{"student": name, "katas": entries} for name, entries in students.items()],
        "claims": claim_summary(rows),
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One row per student and kata; a column per claim (``kataNN:claim``), empty where it does not apply."""
    claim_columns: list[str] = []
    for entry in sorted(rows, key=lambda e: e["number"]):
        for claim in entry["claims"]:
            column = f"kata{entry['number']}:{claim['name']}"
            if column not in claim_columns:
                claim_columns.append(column)
    fields = ["student", "kata", "file", "status", "claims_passed", "claims_total", "score", "points", "seconds"]
    fields += ["regraded", "first_failure", *claim_columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for entry in rows:
        first = next((c["name"] for c in entry["claims"] if c["status"] != "passed"), "")
        record = {
            "student": entry["student"],
            "kata": entry["number"],
            "file": entry["file"],
            "status": entry["status"],
            "claims_passed": entry["claims_passed"],
            "claims_total": entry["claims_total"],
            "score": entry["score"],
            "points": entry["points"],
            "seconds": entry["duration"],
            "regraded": int(entry["regraded"]),
            "first_failure": first or (entry["reason"].splitlines()[0] if entry["reason"] else ""),
        }
        record.update({f"kata{entry['number']}:{c['name']}": c["status"] for c in entry["claims"]})
        writer.writerow(record)
    return buffer.getvalue()


def table_lines(rows: list[dict[str, Any]], style: board.Style, *, width: int | None = None) -> list[str]:
    """The instructor's table: a heading, then one line per student and kata."""
    width = width or max([len("student"), *(len(r["student"]) for r in rows)])
    lines = [style.bold(f"{'student':<{width}}  kata  result  claims  first failing claim")]
    lines += [row_line(r, style, width=width) for r in rows]
    return lines


def row_line(entry: dict[str, Any], style: board.Style, *, width: int = 16) -> str:
    if entry["status"] == "missing":
        return f"{entry['student']:<{width}}  {entry['number']:>4}  {style.dim('—       missing')}"
    mark = style.mark(entry["status"])
    claims = f"{entry['claims_passed']}/{entry['claims_total']}"
    first = next((c["name"] for c in entry["claims"] if c["status"] != "passed"), "")
    if entry["end"] in ENDINGS:
        first = f"{first} ({ENDINGS[entry['end']]})".strip()
    regraded = style.dim(" (graded again alone)") if entry["regraded"] else ""
    return f"{entry['student']:<{width}}  {entry['number']:>4}  {mark}       {claims:<6}  {first}{regraded}"


def summary_lines(rows: list[dict[str, Any]], style: board.Style, *, limit: int = 10) -> list[str]:
    """Per kata, how many passed; then the claims failed most."""
    lines = []
    for number in sorted({r["number"] for r in rows}):
        mine = [r for r in rows if r["number"] == number]
        graded = [r for r in mine if r["status"] != "missing"]
        passed = sum(r["status"] == "passed" for r in graded)
        share = f" ({100 * passed // len(graded)}%)" if graded else ""
        gone = f", {len(mine) - len(graded)} missing" if len(mine) > len(graded) else ""
        title = kata(number).title
        lines.append(f"Kata {number} · {title}: {passed}/{len(graded)} submissions pass{share}{gone}")
    failed = [c for c in claim_summary(rows) if c["failed"]]
    if failed:
        lines += ["", style.bold("Claims failed most (failed / graded, and how often it was the first failure):")]
        for claim in failed[:limit]:
            task = f"task {claim['task']}" if claim["task"] is not None else "no task"
            count = f"{claim['failed']}/{claim['of']}"
            lines.append(f"  {count:>7}  first {claim['first']:>3}  {claim['kata']} · {claim['name']} ({task})")
    return lines


def markdown(rows: list[dict[str, Any]], *, jobs: int, duration: float) -> str:
    lines = ["# Batch grading", "", f"{len(rows)} submissions graded in {duration:.1f} s with --jobs {jobs}.", ""]
    lines += ["| student | kata | result | claims | first failing claim |", "|---|---|---|---|---|"]
    for entry in rows:
        mark = {"passed": "✅", "failed": "❌"}.get(entry["status"], "—")
        first = next((c["name"] for c in entry["claims"] if c["status"] != "passed"), "")
        claims = f"{entry['claims_passed']}/{entry['claims_total']}"
        if entry["status"] == "missing":
            first, claims = "missing", "—"
        lines.append(f"| {entry['student']} | {entry['number']} | {mark} | {claims} | {first} |")
    summary = claim_summary(rows)
    if any(c["failed"] for c in summary):
        lines += ["", "## Claims failed most", "", "| failed | first failure | kata | claim | task |"]
        lines.append("|---|---|---|---|---|")
        for claim in (c for c in summary if c["failed"]):
            lines.append(
                f"| {claim['failed']}/{claim['of']} | {claim['first']} | {claim['kata']} | {claim['name']} "
                f"| {claim['task'] if claim['task'] is not None else ''} |"
            )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.batch",
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 once every file is graded (whatever the verdicts), 2 on a usage error.",
    )
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS", help="the folder of submissions")
    parser.add_argument("--kata", action="append", default=[], metavar="NN", help="the kata (repeat for more)")
    parser.add_argument(
        "--jobs", "-j", type=int, default=runner.cpu_count(), metavar="N", help="gradings at once (default: CPUs)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="where to write (default: SUBMISSIONS-grades)")
    parser.add_argument("--budget", type=float, metavar="S", help="seconds per file instead of the kata's budget")
    parser.add_argument(
        "--regrade-alone", action="store_true", help="also grade again, alone, each failure seen under --jobs"
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions}: no such folder")
    try:
        args.katas = [kata(n) for n in args.kata]
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    unbuilt = [k for k in args.katas if not k.built]
    if unbuilt:
        parser.error(unbuilt[0].not_built_reason())
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.budget is not None and args.budget <= 0:
        parser.error("--budget must be more than 0")
    try:
        args.found = collect(args.submissions, args.katas)
    except ValueError as exc:
        parser.error(str(exc))
    if not args.found:
        parser.error(f"{args.submissions}: no submission found (see --help for the layouts)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: TextIO = sys.stdout
    style = board.Style(board.use_color(out))
    workers, note = runner.effective_jobs(args.jobs)
    if note:
        print(style.dim(note), file=sys.stderr)
    root = args.submissions.resolve()
    target = args.out or root.with_name(root.name + "-grades")
    graded = [s for s in args.found if s.path is not None]
    print(style.dim(f"Grading {len(graded)} files ({len(args.found) - len(graded)} missing), {workers} at a time."))
    labels = [f"{s.student}/{s.kata.number}" for s in args.found]
    start = time.monotonic()
    width = max(len("student"), *(len(s.student) for s in args.found))
    print(table_lines([], style, width=width)[0])
    with board.LiveBoard(
        out, style, labels, render=lambda entry: [row_line(entry, style, width=width)], progress=None
    ) as live:
        try:
            rows = grade_batch(args.found, workers=workers, regrade=args.regrade_alone, budget=args.budget, live=live)
        except KeyboardInterrupt:
            print("\nInterrupted: every grading process was stopped; nothing was written.", file=sys.stderr)
            return 130
    duration = time.monotonic() - start
    target.mkdir(parents=True, exist_ok=True)
    (target / "grades.csv").write_text(to_csv(rows), encoding="utf-8")
    results = to_json(rows, root=root, jobs=workers, duration=duration)
    (target / "grades.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (target / "summary.md").write_text(markdown(rows, jobs=workers, duration=duration), encoding="utf-8")
    print("\n".join(["", *summary_lines(rows, style)]))
    print(
        style.dim(
            f"\n{len(graded)} files graded in {duration:.1f} s; wrote {target}/grades.csv, grades.json, summary.md"
        )
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
