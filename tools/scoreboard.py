"""The scoreboard: grade the katas, each in its own process under its own budget, and print the board.

    python -m tools.scoreboard                      every kata in katas/
    python -m tools.scoreboard --kata 54            only kata 54 (repeat --kata for more)
    python -m tools.scoreboard --kata 54 --submission path/to/file.py
    python -m tools.scoreboard --json results.json  also write the results as JSON ('-' for stdout)
    python -m tools.scoreboard --markdown board.md  also write the board as Markdown ('-' for stdout)
    python -m tools.scoreboard --jobs 2             grade two katas at a time
    python -m tools.scoreboard --list               the katas, their items and titles (grades nothing)

The board shows, per kata, ✓ or ✗, claims passed, points and time; for a failing kata, its first failing claim
with the grader's evidence and a hint for that claim's task (see tools/hints.py: the next layer is revealed each
time the same claim still fails after you changed the file, or at once with --hint). Under GitHub Actions the
Markdown board is also appended to $GITHUB_STEP_SUMMARY.

--jobs N grades N katas at once (at most one per CPU), each still in its own process with its own budget. The
graders' verdicts hold on a 2-core machine kept busy by two CPU hogs, so a verdict is never graded twice
(tools/runner.py).

Exit status: 0 when every kata graded passed every claim, 1 when any failed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from graders.manifest import kata, katas
from tools import board, document, hints, markdown, runner
from tools.grading import KataResult


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.scoreboard",
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 every kata graded passed, 1 any failed, 2 usage error.",
    )
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
    parser.add_argument("--markdown", metavar="OUT", help="also write the board as Markdown to OUT ('-' for stdout)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="grade N katas at a time, at most one per CPU (default 1)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="show every claim, not only the first failure")
    parser.add_argument("--hint", action="store_true", help="reveal the next hint for each failing kata now")
    parser.add_argument("--list", action="store_true", help="list the katas, their items and titles, and exit")
    parser.add_argument(
        "--no-step-summary",
        action="store_true",
        help="under GitHub Actions, do not append the Markdown board to $GITHUB_STEP_SUMMARY",
    )
    args = parser.parse_args(argv)
    try:
        args.katas = [kata(n) for n in args.kata] if args.kata else list(katas())
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    if args.submission is not None and len(args.kata) != 1:
        parser.error("--submission grades one file: give exactly one --kata with it")
    if args.submission is not None and not args.submission.is_file():
        parser.error(f"--submission {args.submission}: no such file")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.json == "-" and args.markdown == "-":
        parser.error("--json - and --markdown - would both write to stdout: send one of them to a file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stderr if "-" in (args.json, args.markdown) else sys.stdout
    style = board.Style(board.use_color(out))
    if args.list:
        print("\n".join(board.list_lines(katas(), style)), file=out)
        return 0
    explicit = bool(args.kata)
    chosen = [k for k in args.katas if k.built or explicit]
    workers, note = runner.effective_jobs(args.jobs)
    if note:
        print(style.dim(note), file=sys.stderr)
    own_files = args.submission is None
    state = hints.HintState() if own_files else None
    jobs = [runner.Job(k, args.submission) for k in chosen]
    entries: list[dict[str, Any] | None] = [None] * len(jobs)
    start = time.monotonic()
    with board.LiveBoard(out, style, [str(k.number) for k in chosen], verbose=args.verbose) as live:

        def finished(index: int, result: KataResult) -> None:
            entries[index] = _entry(result, jobs[index], state, ask=args.hint)
            live.finished(index, entries[index])

        try:
            runner.grade_all(jobs, workers=workers, on_start=live.started, on_done=finished)
        except KeyboardInterrupt:
            live.stream.write("\n")
            print("Interrupted: every grading process was stopped.", file=sys.stderr)
            return 130
    if state is not None:
        state.save()
    results = document.build([e for e in entries if e is not None], jobs=workers, duration=time.monotonic() - start)
    print("\n".join(board.summary_lines(results, style, remembered=own_files)), file=out)
    out.flush()
    if args.json:
        document.write(results, args.json)
    if args.markdown:
        markdown.write(results, args.markdown)
    if not args.no_step_summary:
        step_summary(results)
    return 0 if results["passed"] else 1


def _entry(result: KataResult, job: runner.Job, state: hints.HintState | None, *, ask: bool) -> dict[str, Any]:
    """The document entry of a graded kata, advancing the hint state for the learner's own files."""
    if result.status == "not built" or result.end == "stopped":
        return document.kata_entry(result)
    if state is None:  # someone else's file: nothing is remembered, so --hint reveals every layer
        return document.kata_entry(result, hint_layer=len(hints.KINDS) if ask else 1)
    path = job.submission or job.kata.stub
    return document.kata_entry(result, hint_layer=state.advance(result, hints.digest(path), ask=ask))


def step_summary(results: dict[str, Any], env: dict[str, str] | None = None) -> bool:
    """Under GitHub Actions, append the Markdown board to the job summary; True if it did."""
    env = dict(os.environ) if env is None else env
    target = env.get("GITHUB_STEP_SUMMARY")
    if env.get("GITHUB_ACTIONS") != "true" or not target:
        return False
    with open(target, "a", encoding="utf-8") as summary:
        summary.write(markdown.render(results) + "\n")
    return True


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the board piped into `head`: stop quietly, as json.tool does
        sys.stderr.close()
        sys.exit(1)
