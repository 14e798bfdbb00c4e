"""Practice modes: watch a kata while you work on it, or sit a timed interview on one.

    python -m tools.practice watch              re-grade whichever kata file in katas/ you save
    python -m tools.practice watch 54           re-grade katas/kata54_lock.py each time it is saved
    python -m tools.practice interview --kata 54 --minutes 30
    python -m tools.practice interview --random --seed 7

watch: saves are noticed by polling the file's stat twice a second (tools/watch.py); the board of that kata is
shown on a cleared screen, with the next hint each time the same claim still fails after a change. Ctrl-C quits.

interview: copies the kata's stub (katas/kataNN_<topic>.py, so run it from a fresh clone; or --stub FILE) into a
session directory (default .kata-state/interviews/kataNN-<time>/), prints the task, and starts the countdown.
Every save is graded, and so is Enter (or g); h shows a hint (it is counted in the report); q finishes early, and
so does Ctrl-C. At time-up the file is frozen and graded one last time, and the report for the interviewer is
written to report.md in the session directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import random
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TextIO

from graders.manifest import ROOT, Kata, kata, katas
from tools import board, hints, watch
from tools.interview import Attempt, Interview, looks_worked_on, task_text

SESSIONS = ROOT / ".kata-state" / "interviews"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.practice", description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True, metavar="{watch,interview}")
    watching = modes.add_parser("watch", help="re-grade a kata each time its file is saved")
    watching.add_argument("kata", nargs="?", metavar="NN", help="the kata to watch (default: every kata in katas/)")
    watching.add_argument("--submission", metavar="FILE", type=Path, help="watch FILE instead of the kata's file")
    watching.add_argument("--poll", type=float, default=watch.POLL, metavar="S", help=argparse.SUPPRESS)
    sitting = modes.add_parser("interview", help="a timed session on one kata, with a report for the interviewer")
    which = sitting.add_mutually_exclusive_group()
    which.add_argument("--kata", metavar="NN", help="the kata to sit")
    which.add_argument("--random", action="store_true", help="a built kata picked at random (the default)")
    sitting.add_argument("--minutes", type=float, default=30.0, metavar="M", help="time allowed (default 30)")
    sitting.add_argument("--seed", type=int, metavar="S", help="seed of the random pick (printed, to repeat it)")
    sitting.add_argument("--dir", type=Path, metavar="DIR", help="the session directory (default under .kata-state/)")
    sitting.add_argument(
        "--stub", type=Path, metavar="FILE", help="the file the candidate starts from (default: katas/kataNN_*.py)"
    )
    args = parser.parse_args(argv)
    built = [k for k in katas() if k.built]
    try:
        args.chosen = kata(args.kata) if getattr(args, "kata", None) else None
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    if args.chosen is not None and not args.chosen.built:
        parser.error(args.chosen.not_built_reason())
    if args.mode == "watch" and args.submission is not None:
        if args.chosen is None:
            parser.error("--submission watches one file: give the kata number with it")
        if not args.submission.is_file():
            parser.error(f"--submission {args.submission}: no such file")
    if args.mode == "interview":
        if args.stub is not None and (args.chosen is None or not args.stub.is_file()):
            parser.error("--stub FILE needs --kata NN and an existing FILE")
        if args.minutes <= 0:
            parser.error("--minutes must be more than 0")
        if not built:
            parser.error("no kata is built yet")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stdout
    style = board.Style(board.use_color(out))
    if args.mode == "watch":
        return watch_main(args, out, style)
    return interview_main(args, out, style)


def watch_main(args: argparse.Namespace, out: TextIO, style: board.Style) -> int:
    if args.chosen is not None:
        targets = [watch.Target(args.chosen, (args.submission or args.chosen.stub).resolve())]
    else:
        targets = [watch.Target(k, k.stub) for k in katas() if k.built]
    screen = watch.Screen(out, style, several=len(targets) > 1)
    own = args.submission is None
    watcher = watch.Watcher(
        targets, screen.show, own_files=own, state=hints.HintState() if own else None, on_grading=screen.grading
    )
    if len(targets) > 1:
        print(style.dim(f"Watching {len(targets)} kata files in katas/: save one to grade it. Ctrl-C to quit."))
    try:
        watcher.run(threading.Event(), poll=args.poll)
    except KeyboardInterrupt:
        print("\nStopped watching.", file=out)
    return 0


def interview_main(args: argparse.Namespace, out: TextIO, style: board.Style) -> int:
    built = [k for k in katas() if k.built]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    chosen = args.chosen or pick(built, seed)
    how = f"--kata {chosen.number}" if args.chosen else f"at random from katas {_numbers(built)}, seed {seed}"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    directory = (args.dir or SESSIONS / f"kata{chosen.number}-{stamp}").resolve()
    session = Interview(chosen, directory, args.minutes, chosen=how, stub=args.stub)
    console = Console(out, style)
    session.on_graded = lambda attempt: console.show(_graded_lines(session, attempt, style))
    session.start()
    console.show(_welcome(session, style))
    with Keys(sys.stdin) as keys:
        try:
            while session.tick():
                command = keys.get(timeout=0.2)
                if command == "grade":
                    attempt = session.request("asked")
                    if attempt is not None:
                        console.show([style.dim(f"Grading attempt {attempt.number} …")])
                elif command == "hint":
                    console.show(_hint_lines(session, style))
                elif command == "quit":
                    break
                console.status(_status(session))
        except KeyboardInterrupt:
            pass
    how_it_ended = "time up" if session.remaining() <= 0 else "finished early"
    console.show(["", style.bold(f"{how_it_ended.capitalize()}: the file is frozen. Grading it one last time …")])
    session.on_graded = None
    final = session.finish(how_it_ended)
    if final.result is not None:
        console.show(board.kata_lines(session.entry(final), style))
    report = session.write_report()
    console.show(["", f"The interviewer's report: {report}"])
    return 0


def pick(built: list[Kata], seed: int) -> Kata:
    """The kata ``--random --seed S`` sits: the same for the same seed and the same built katas."""
    return random.Random(seed).choice(built)


def _numbers(built: list[Kata]) -> str:
    return ", ".join(str(k.number) for k in built)


def _welcome(session: Interview, style: board.Style) -> list[str]:
    entry = session.kata
    start = session.stub or entry.stub
    warning = (
        [style.bad(f"Warning: {start} has no `raise NotImplementedError` left: it looks worked on, not a stub.")]
        if looks_worked_on(start)
        else []
    )
    return [
        *warning,
        style.bold(f"Interview · kata {entry.number} · {entry.title}") + style.dim(f"  ({session.chosen})"),
        f"Time allowed: {session.minutes:g} minutes, starting now.",
        "",
        task_text(entry),
        "",
        style.bold(f"Edit {session.file}"),
        "Every save is graded. Keys: Enter or g grade now · h a hint (counted in the report) · q finish early.",
        "",
    ]


def _graded_lines(session: Interview, attempt: Attempt, style: board.Style) -> list[str]:
    if session.ended and attempt.trigger not in ("time up", "finished early"):
        return []
    head = style.dim(f"Attempt {attempt.number} ({attempt.trigger} at {_clock(attempt.at)}):")
    return [head, *board.kata_lines(session.entry(attempt), style)]


def _hint_lines(session: Interview, style: board.Style) -> list[str]:
    taken = session.take_hint()
    if taken is None:
        return [style.dim("No more hints for this task.")]
    total = len(hints.layers(session.kata.number, taken.task))
    label = f"Hint {taken.hint.layer}/{total} (task {taken.task})"
    return [f"{style.hint(label + ':')} {taken.hint.text}"]


def _status(session: Interview) -> str:
    latest = next((a.result for a in reversed(session.attempts) if a.result is not None), None)
    state = f"{latest.claims_passed}/{len(latest.claims)} claims" if latest else "not graded yet"
    return f"⏱ {_clock(session.remaining())} left · {state} · Enter grade · h hint · q finish"


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class Console:
    """Lines that scroll, under a status line redrawn in place (a terminal only); safe from any thread."""

    def __init__(self, stream: TextIO, style: board.Style) -> None:
        self.stream, self.style = stream, style
        self.live = board.is_terminal(stream)
        self._lock = threading.Lock()
        self._status = ""

    def show(self, lines: list[str]) -> None:
        if not lines:
            return
        with self._lock:
            if self.live:
                self.stream.write("\r\x1b[K")
            self.stream.write("\n".join(lines) + "\n")
            if self.live and self._status:
                self.stream.write(self.style.dim(self._status))
            self.stream.flush()

    def status(self, text: str) -> None:
        with self._lock:
            changed, self._status = text != self._status, text
            if self.live and changed:
                self.stream.write("\r\x1b[K" + self.style.dim(text))
                self.stream.flush()


class Keys:
    """Commands from the keyboard: single keys on a terminal (no Enter needed), whole lines from a pipe.

    ``get`` returns ``grade``, ``hint``, ``quit`` or None. The end of piped input is not a command: the session
    then runs on until time-up (saves are still graded).
    """

    COMMANDS: ClassVar[dict[str, str]] = {
        "": "grade",
        "g": "grade",
        "\n": "grade",
        "\r": "grade",
        " ": "grade",
        "h": "hint",
        "q": "quit",
    }

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.queue: queue.Queue[str] = queue.Queue()
        self._saved: Any = None

    def __enter__(self) -> Keys:
        self._saved = _cbreak(self.stream)
        threading.Thread(target=self._read, name="interview-keys", daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)

    def get(self, timeout: float) -> str | None:
        try:
            return self.COMMANDS.get(self.queue.get(timeout=timeout))
        except queue.Empty:
            return None

    def _read(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self._saved is not None:
                while key := os.read(self.stream.fileno(), 1):
                    self.queue.put(key.decode(errors="ignore").lower())
                return
            for line in _lines(self.stream):
                self.queue.put(line.strip().lower()[:1])


def _lines(stream: TextIO) -> Iterator[str]:
    yield from iter(stream.readline, "")


def _cbreak(stream: TextIO) -> Any:
    """Put a terminal in cbreak mode (keys arrive at once, unechoed); return what to restore, or None."""
    if not board.is_terminal(stream):
        return None
    try:
        import termios
        import tty

        saved = termios.tcgetattr(stream.fileno())
        tty.setcbreak(stream.fileno())
        return saved
    except (ImportError, OSError, ValueError):
        return None


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
