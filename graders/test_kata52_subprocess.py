"""Kata 52 · Child processes: the claims.

The children are small ``python -c`` programs that report what they saw (their argv, their parent,
their stdin) or meet at a rendezvous in a folder, so "no shell", "empty stdin" and "at the same
time" are proven by what the children observed; run_all's many children are ``cat FIFO``s that the
grader lets end only once all of them run (:class:`FifoGate`).  Which children are left behind,
running or as zombies, comes from ``/proc`` (``harness.children``), not from the learner's Popen
objects; a process orphaned by killing its parent (a shell's stages) is found by a mark that every
process started during the claim inherits in its environment.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from graders.harness import children
from graders.harness.messages import failure, short_repr

PY = sys.executable
CHILD = (PY, "-S", "-c")
"""How the grader's children start: ``python -S -c CODE``.  Their code needs nothing from site-packages, and
skipping it starts one in 12 ms instead of 34; a grading starts 37 of them."""
MARGIN = 0.5
"""Seconds past ``timeout`` that raising TimeoutExpired may take on a loaded machine.  Measured with
``benchmarks/lateness.py`` on 3.11-3.13: the references raised at most 0.068 s late in 1 632 calls, at load
averages up to 6.7."""
EARLY = 0.1
"""Seconds before ``timeout`` under which TimeoutExpired came early: one deadline, waited with what is
left of it, never expires before ``timeout`` (only a deadline split among the children does)."""
GIVE_UP = 4.0
"""Seconds past ``timeout`` after which a call that has not returned is a hang."""
KILL_TIMEOUT = 0.1
"""The ``timeout`` of the claims where every child runs for a minute: they only check what is left behind."""
BATCH_TIMEOUT = 0.8
"""The ``timeout`` of the one-deadline claim, whose first child ends after ``BATCH_ENDS[0]`` seconds, its second
after ``BATCH_ENDS[1]``, its third never."""
BATCH_ENDS = (0.55, 1.15)
DEFAULT_POOL = min(32, max(os.cpu_count() or 1, getattr(os, "process_cpu_count", lambda: None)() or 1) + 4)
"""The most workers ``ThreadPoolExecutor()`` starts by default here (3.8-3.12: cpu_count() + 4, 3.13:
process_cpu_count() + 4, at most 32): run_all is given more commands than that."""
GATHER_WAIT = 1.5
"""How long the grader waits for all of run_all's children to be running at once before it lets them
end anyway (only a submission that does not start them all pays it); shorter than that claim's timeout, so
they are let go before a deadline kills them."""
HOLD_MARGIN = 0.1
"""Seconds past ``timeout / n`` (counted from when all children run) that they are kept running: a
timeout split among the children expires while every child is still held."""
CAT = shutil.which("cat") or "/bin/cat"
SLEEP_BIN = shutil.which("sleep") or "/bin/sleep"
"""Starts in a millisecond, where an interpreter may take a tenth of a second on a loaded machine."""
SLEEP = [SLEEP_BIN, "60"]
"""A child that outlives every claim unless it is killed."""
ORDER_GAP = 0.1
"""Seconds between one child's exit and the next one's, when they finish in reverse order: wider
than the delay with which a loaded machine wakes the thread that collects a child."""
MEET_WAIT = 2.0
"""How long a child waits at the rendezvous for the others before giving up."""

SAY_ARGV = "import json, os, sys; print(json.dumps({'argv': sys.argv[1:], 'ppid': os.getppid()}))"
SAY_STDIN = "import sys; print(repr(sys.stdin.read()))"
SHOUT = (
    "import sys; text = sys.stdin.buffer.read().decode('utf-8');"
    "sys.stdout.buffer.write(text.upper().encode('utf-8')); sys.stderr.write(f'{len(text)} chars')"
)
BOTH_STREAMS = "import sys; print('to out'); print('to err', file=sys.stderr)"
EXIT_3 = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
MEGABYTES = "import sys; chunk = 'x' * 65536\nfor _ in range(64): sys.stdout.write(chunk); sys.stderr.write(chunk)"
COPY = (
    "import sys\n"
    "while chunk := sys.stdin.buffer.read1(65536): sys.stdout.buffer.write(chunk); sys.stdout.buffer.flush()"
)
UPPER = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().upper())"
PASS_ON_AND_SAY_ARGV = (
    "import json, os, sys; sys.stdout.buffer.write(sys.stdin.buffer.read() + "
    "(json.dumps({'argv': sys.argv[1:], 'ppid': os.getppid()}) + '\\n').encode())"
)
REVERSE_LINES = "import sys; sys.stdout.buffer.writelines(reversed(sys.stdin.buffer.readlines()))"
FAIL = "import sys; sys.stdin.buffer.read(); sys.stdout.write('partial'); sys.exit(int(sys.argv[1]))"
MEET = (
    "import os, sys, time\n"
    "folder, me, parties = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
    f"open(os.path.join(folder, me), 'w').close(); end = time.monotonic() + {MEET_WAIT}\n"
    "while len(os.listdir(folder)) < parties and time.monotonic() < end: time.sleep(0.005)\n"
    "met = f'{me} met {len(os.listdir(folder))}/{parties}\\n'\n"
    "if len(sys.argv) > 4: sys.stdout.buffer.write(sys.stdin.buffer.read() + met.encode())\n"
    "else: sys.stdout.write(met)"
)
FINISH_AFTER = (
    "import os, sys, time\n"
    "folder, me, after = sys.argv[1], sys.argv[2], sys.argv[3]\n"
    "end = time.monotonic() + 3\n"
    "while after != '-' and not os.path.exists(os.path.join(folder, after)) and time.monotonic() < end:"
    " time.sleep(0.005)\n"
    f"time.sleep({ORDER_GAP} if after != '-' else 0)\n"
    "open(os.path.join(folder, me), 'w').close(); print(me)"
)
SLEEP_THEN_MARK = "import sys, time; time.sleep(float(sys.argv[1])); open(sys.argv[2], 'w').close()"


def py(code: str, *args: str) -> list[str]:
    return [*CHILD, code, *args]


def arguments(command: list[str]) -> list[str]:
    """What a child started with ``command`` (made by :func:`py`) finds in ``sys.argv[1:]``."""
    return command[len(CHILD) + 1 :]


def plain(text: str) -> str:
    """A command line as the learner would read it: ``python -c ...``, not the interpreter's full path."""
    return " ".join(text.replace(PY, "python").split()).replace("python -S -c", "python -c")


def show(command: list[str]) -> str:
    """A command as the learner would recognise it: ``python -c SAY_ARGV 'a b'``."""
    names = {code: name for name, code in globals().items() if isinstance(code, str) and name.isupper()}
    if tuple(command[: len(CHILD)]) == CHILD:
        return " ".join(["python", "-c", names.get(command[len(CHILD)], "…"), *map(repr, arguments(command))])
    return " ".join(command)


def is_stage(cmd: object, stage: list[str]) -> bool:
    """Whether a CalledProcessError's ``cmd`` is ``stage``: its argument list, or that list as one string
    (``shlex.join`` or ``" ".join``); the contract asks for the first failing stage, not for a type of cmd."""
    if isinstance(cmd, str):
        with suppress(ValueError):
            if shlex.split(cmd) == stage:
                return True
        return cmd == " ".join(stage)
    return isinstance(cmd, list | tuple) and list(cmd) == stage


def show_cmd(cmd: object) -> str:
    """A CalledProcessError's ``cmd`` as the learner gave it: an argument list as :func:`show` does, a string as is."""
    if isinstance(cmd, list | tuple) and all(isinstance(part, str) for part in cmd):
        return show(list(cmd))
    if isinstance(cmd, str):
        cmd = plain(cmd.replace(shlex.quote(PY), "python"))
        codes = {code: name for name, code in globals().items() if isinstance(code, str) and name.isupper()}
        for code, name in codes.items():
            if len(code) > 12 and name != "PY":
                cmd = cmd.replace(shlex.quote(code), name).replace(code, name)
        return short_repr(cmd, 120)
    return short_repr(cmd)


@pytest.fixture(autouse=True)
def no_child_survives_a_claim() -> Iterator[None]:
    """Mark the claim's processes; kill whatever they left behind, orphans too, once the claim has judged it."""
    with children.marked(), children.watch() as watch:
        yield
        children.kill(watch.left_behind() + children.orphans())


def describe(child: children.Child, *, orphan: bool = False) -> str:
    """What became of a child left behind, in true words: running, or dead and never reaped, and how it died."""
    child = dataclasses.replace(child, command=plain(child.command))
    if orphan:
        return f"{child.describe()}, orphaned: the process of yours that started it (a shell?) ended without it"
    if not child.zombie:
        return child.describe()
    try:
        stat = Path(f"/proc/{child.pid}/stat").read_text()
        status = int(stat[stat.rindex(")") + 2 :].split()[49])  # exit_code: the status waitpid would report
    except (OSError, ValueError, IndexError):
        return f"{child.describe().rsplit(' is ', 1)[0]} ended but was never reaped (a zombie)"
    name = child.describe().rsplit(" is ", 1)[0]
    if os.WIFSIGNALED(status):
        signame = signal.Signals(os.WTERMSIG(status)).name if os.WTERMSIG(status) in signal.valid_signals() else ""
        return f"{name} was killed ({signame or 'by a signal'}) but never reaped (a zombie)"
    return f"{name} exited on its own (status {os.WEXITSTATUS(status)}) but was never reaped (a zombie)"


@contextmanager
def grader_stdin(text: str) -> Iterator[None]:
    """Make the grader's own stdin (fd 0) a pipe holding ``text``, so a child that inherits it reads it."""
    read_end, write_end = os.pipe()
    os.write(write_end, text.encode())
    os.close(write_end)
    saved = os.dup(0)
    os.dup2(read_end, 0)
    os.close(read_end)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


INHERITED = "text on the grader's stdin\n"


class FifoGate:
    """Children ``cat gateI`` (FIFOs) that end only when the grader lets them: proof that they all ran at once.

    A child runs once it has opened its FIFO for reading, and only then does a non-blocking open of the
    write end succeed; the grader keeps that write end open, so the child stays blocked in read() until
    the grader writes its line ("gate I") and closes it.  Holding all ``parties`` write ends at once, each
    with its reader still there, proves that all children ran at the same time.  They are then held
    ``timeout / parties + HOLD_MARGIN`` longer (a timeout split among the children expires while all are
    still held), but never later than 1 s before ``timeout``.  If they never all run at once, the gate
    breaks after ``GATHER_WAIT`` and lets every child end at once.
    """

    def __init__(self, folder: Path, parties: int, timeout: float) -> None:
        self.parties, self.timeout = parties, timeout
        self.fifos = [folder / f"gate{i}" for i in range(parties)]
        for fifo in self.fifos:
            os.mkfifo(fifo)
        self.commands = [[CAT, str(fifo)] for fifo in self.fifos]
        self.most_running = 0
        """The most children that had their FIFO open at the same time."""
        self.opened_at: float | None = None
        """Seconds after the call began when all children were running at once."""
        self.entry: float | None = None
        self._released = False
        self._held: dict[int, int] = {}
        self._served: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="grader-fifo-gate", daemon=True)

    @property
    def opened(self) -> bool:
        """Whether all the children were running at the same time."""
        return self.opened_at is not None

    @property
    def release_at(self) -> float | None:
        """Seconds after the call began when the children, all running, are let go."""
        if self.opened_at is None:
            return None
        return min(self.opened_at + self.timeout / self.parties + HOLD_MARGIN, max(self.opened_at, self.timeout - 1.0))

    def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, noting when the call began: give this to ``learner.run``."""
        self.entry = time.perf_counter()
        return fn(*args, **kwargs)

    def __enter__(self) -> FifoGate:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        for fd in self._held.values():
            with suppress(OSError):
                os.close(fd)

    def _serve(self) -> None:
        while not self._stop.wait(0.005):
            if self.entry is None:
                continue
            for i, fifo in enumerate(self.fifos):
                if i not in self._held and i not in self._served:
                    with suppress(OSError):  # ENXIO: its child has not opened it yet
                        self._held[i] = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            for i, fd in list(self._held.items()):
                if _reader_gone(fd):  # its child ended (killed at a deadline?): it runs no longer
                    os.close(fd)
                    del self._held[i]
                    self._served.add(i)
            self.most_running = max(self.most_running, len(self._held))
            now = time.perf_counter() - self.entry
            if self.opened_at is None and len(self._held) == self.parties:
                self.opened_at = now
            due = self.release_at
            if now >= (GATHER_WAIT if due is None else due):
                self._released = True
            if self._released:
                for i, fd in list(self._held.items()):
                    with suppress(OSError):  # the child was killed meanwhile
                        os.write(fd, f"gate {i}\n".encode())
                    os.close(fd)
                    del self._held[i]
                    self._served.add(i)


def _reader_gone(fd: int) -> bool:
    """Whether the FIFO written through ``fd`` has no reader any more (poll reports an error on its write end)."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def check_like_run(result: object, what: str) -> None:
    """The checks every child started like ``run`` passes: a CompletedProcess, str output."""
    if not isinstance(result, subprocess.CompletedProcess):
        raise failure(f"{what} returned {short_repr(result)}, not a subprocess.CompletedProcess.")
    if not isinstance(result.stdout, str) or not isinstance(result.stderr, str):
        raise failure(
            f"{what} captured stdout={short_repr(result.stdout)} and stderr={short_repr(result.stderr)}: "
            "both should be captured, as text (str, UTF-8).",
            idea="capture_output=True (or stdout=PIPE, stderr=PIPE) with encoding='utf-8'",
        )


SHELLS = ("sh", "bash", "dash", "zsh", "ksh")


def check_no_shell(
    result: subprocess.CompletedProcess[str], command: list[str], watch: children.ChildWatch, what: str
) -> None:
    shells = [s for s in watch.spawned if Path(s.executable).name in SHELLS]
    try:
        seen = json.loads(result.stdout)
    except ValueError:
        seen = None
    if not shells and seen is None and list(result.args) != command:
        raise failure(
            f"{what}'s result for {show(command)} holds the output of another command "
            f"({show(list(result.args))}): results come back in the order of the commands.",
            idea="build the results from the list of Popen objects, in the order of commands",
        )
    if shells or seen is None or seen["argv"] != arguments(command) or seen["ppid"] != os.getpid():
        evidence = [f"started: {short_repr(' '.join(shells[0].args), 90)}"] if shells else []
        evidence.append(f"the child saw argv {seen['argv']!r}" if seen else f"the child printed {result.stdout!r}")
        raise failure(
            f"{what} went through a shell: the arguments did not reach the child literally.",
            called=f"{what}: {show(command)}",
            contract="execute args directly, never through a shell: metacharacters reach the child as they are",
            evidence=evidence,
            idea="pass the list itself, without shell=True and without joining it into one string",
        )


def check_empty_stdin(result: subprocess.CompletedProcess[str], what: str) -> None:
    """SAY_STDIN prints the repr of what it read from stdin: ``''`` when stdin was empty."""
    said = result.stdout.strip()
    if said == "''":
        return
    try:
        read = ast.literal_eval(said)
    except (ValueError, SyntaxError):
        read = None
    if not isinstance(read, str):
        raise failure(
            f"{what}'s child [python, -c, SAY_STDIN] did not run as given: it prints the repr of what it read "
            f"from stdin, but the result holds returncode={result.returncode}, stdout={short_repr(result.stdout)}, "
            f"stderr={short_repr(result.stderr.strip()[-200:])}.",
            contract="the command's arguments reach the child as they are (no shell); its stdin is empty",
            idea="subprocess.run(list(args), stdin=subprocess.DEVNULL, ...), never a joined string or shell=True",
        )
    raise failure(
        (
            f"{what}'s child inherited the grader's stdin: it read {said} instead of nothing. "
            if read == INHERITED
            else f"{what}'s child read {said} from its stdin instead of nothing. "
        )
        + "A child that inherits stdin can wait on the user's terminal forever.",
        contract="with input=None the child's stdin is empty",
        idea="stdin=subprocess.DEVNULL when there is no input",
    )


def check_none_left(watch: children.ChildWatch, what: str, when: str, *, holding: object) -> None:
    """Fail the claim if the call left a child behind, running or a zombie.

    ``holding`` is the call's outcome, kept alive until the check: its traceback holds the learner's frames and
    with them their Popen objects.  A Popen freed while its killed child is a zombie reaps it in ``__del__``,
    so whether a missing wait() showed would depend on when the garbage was collected (it did not on 3.13 in
    5 of 5 gradings, with the outcome let go before the check).
    """
    # settle 2.5 s: a stage that had ended its work may still be starting on a loaded machine; it must be told
    # as the zombie it becomes, not as running (this wait costs only a submission that left children behind)
    left = [describe(c) for c in watch.left_behind(settle=2.5)] + [describe(c, orphan=True) for c in children.orphans()]
    if left:
        raise failure(
            f"{what} left {len(left)} process{'es' if len(left) > 1 else ''} behind {when}: {left[0]}.",
            evidence=left,
            contract="at the deadline every child is killed and reaped: no child outlives the call",
            idea="Popen each command itself (no shell); proc.kill() then proc.wait() (or communicate()) for every "
            "child before raising",
        )


def expect_timeout(learner, fn_name: str, arg: object, timeout: float, **kwargs: object):
    """Call ``fn_name(arg, timeout=...)``, expecting TimeoutExpired close to ``timeout``."""
    what = f"{fn_name}(..., timeout={timeout:g})"
    outcome = learner.run(
        learner.get(fn_name),
        arg,
        timeout=timeout,
        **kwargs,
        called=what,
        deadline=timeout + GIVE_UP,
        on_hang=(
            f"{fn_name} did not return {GIVE_UP:g} s after its timeout of {timeout:g} s: the children "
            "were never killed (no timeout given to the wait?)."
        ),
    )
    if not isinstance(outcome.error, subprocess.TimeoutExpired):
        got = (
            f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
            if outcome.raised
            else f"returned {short_repr(outcome.value)}"
        )
        raise failure(
            f"{what} {got}; a child still running at the timeout should raise subprocess.TimeoutExpired.",
            idea="pass timeout= to the wait, and re-raise TimeoutExpired",
        )
    if outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"{what} raised TimeoutExpired only after {outcome.elapsed:.2f} s: the deadline is {timeout:g} s.",
            idea="one deadline for the whole call; wait with what is left of it",
        )
    if outcome.elapsed < timeout - EARLY:
        raise failure(
            f"{what} raised TimeoutExpired after {outcome.elapsed:.2f} s, before its timeout of {timeout:g} s: "
            "a wait gave up early. A timeout of its own for each child (timeout / n?) is not one deadline.",
            contract="timeout is one deadline for the whole call",
            idea="deadline = time.monotonic() + timeout once; wait each child with deadline - time.monotonic()",
        )
    return outcome


# ---------------------------------------------------------------- task 1 · run


@pytest.mark.task(1)
def test_run_passes_arguments_literally_without_a_shell(learner):
    command = py(SAY_ARGV, "a b", "$HOME", "; echo hi", "*", "`id`", "|", "'q'")
    with children.watch() as watch:
        outcome = learner.run(learner.get("run"), command, timeout=10.0, called="run(...)", deadline=10.0 + GIVE_UP)
    if isinstance(outcome.error, FileNotFoundError):
        raise failure(
            "run raised FileNotFoundError: it passed the command as one joined string, which the OS takes "
            "as the name of a program.",
            called=f"run({show(command)})",
            idea="pass the list itself, without shell=True and without joining it into one string",
        )
    result = learner.result(outcome)
    check_like_run(result, "run")
    check_no_shell(result, command, watch, "run")


@pytest.mark.task(1)
def test_run_gives_the_child_an_empty_stdin(learner):
    with grader_stdin(INHERITED):
        outcome = learner.run(
            learner.get("run"),
            py(SAY_STDIN),
            timeout=10.0,
            called="run([python, -c, SAY_STDIN])",
            deadline=10.0 + GIVE_UP,
        )
    if isinstance(outcome.error, subprocess.TimeoutExpired):
        # The child only reads its stdin to the end; the grader's own stdin holds one line and is closed,
        # so a child still running at the timeout was reading a stdin that never ended: a pipe left open.
        raise failure(
            f"run([python, -c, SAY_STDIN]) raised TimeoutExpired after {outcome.elapsed:.1f} s: the child only "
            "reads its stdin to the end, so it was still blocked reading it. Its stdin never ended: a pipe "
            "(stdin=PIPE) that nothing ever closed.",
            contract="with input=None the child's stdin is empty (it sees end of file at once)",
            idea="stdin=subprocess.DEVNULL when input is None (or close the pipe: communicate() does)",
        )
    result = learner.result(outcome)
    check_like_run(result, "run")
    check_empty_stdin(result, "run")


@pytest.mark.task(1)
def test_run_writes_input_to_the_child(learner):
    text = "héllo\nwörld"
    result = learner.result(
        learner.run(
            learner.get("run"),
            py(SHOUT),
            input=text,
            timeout=10.0,
            called="run([python, -c, SHOUT], input='héllo\\nwörld')",
            deadline=10.0 + GIVE_UP,
        )
    )
    check_like_run(result, "run")
    if result.stdout != text.upper() or result.stderr != f"{len(text)} chars":
        raise failure(
            f"run(..., input={text!r}) gave stdout={result.stdout!r}, stderr={result.stderr!r}; the child "
            f"upper-cases its stdin, so expected stdout={text.upper()!r}, stderr='{len(text)} chars'.",
            contract="input is written to the child's stdin; output is decoded as UTF-8",
            idea="subprocess.run(args, input=input, encoding='utf-8', ...)",
        )


@pytest.mark.task(1)
def test_run_captures_stdout_and_stderr_separately_as_text(learner):
    result = learner.result(
        learner.run(
            learner.get("run"),
            py(BOTH_STREAMS),
            timeout=10.0,
            called="run([python, -c, BOTH_STREAMS])",
            deadline=10.0 + GIVE_UP,
        )
    )
    check_like_run(result, "run")
    if (result.stdout, result.stderr) != ("to out\n", "to err\n"):
        raise failure(
            f"run captured stdout={result.stdout!r} and stderr={result.stderr!r}; the child wrote 'to out' to "
            "stdout and 'to err' to stderr: each stream should be captured on its own.",
            idea="stdout=PIPE and stderr=PIPE (capture_output=True), not stderr=STDOUT",
        )


@pytest.mark.task(1)
def test_run_returns_a_nonzero_exit_status(learner):
    outcome = learner.run(
        learner.get("run"),
        py(EXIT_3),
        timeout=10.0,
        called="run([python, -c, EXIT_3])",
        deadline=10.0 + GIVE_UP,
    )
    if outcome.raised:
        raise failure(
            f"run raised {type(outcome.error).__name__} for a child that exited with status 3: a non-zero "
            "exit status is returned in the CompletedProcess, not raised.",
            idea="check=False (the default) and return the CompletedProcess",
        )
    result = outcome.value
    check_like_run(result, "run")
    if result.returncode != 3 or result.stdout != "out\n" or result.stderr != "err\n":
        raise failure(
            f"run returned returncode={result.returncode}, stdout={result.stdout!r}, "
            f"stderr={result.stderr!r}; expected 3, 'out\\n', 'err\\n'."
        )


@pytest.mark.task(1)
def test_run_kills_and_reaps_the_child_at_the_timeout(learner):
    with children.watch() as watch:
        outcome = expect_timeout(learner, "run", SLEEP, KILL_TIMEOUT)
        check_none_left(watch, "run", "after raising TimeoutExpired", holding=outcome)


@pytest.mark.task(1)
def test_run_reads_megabytes_on_both_streams_without_deadlock(learner):
    what = "run([python, -c, MEGABYTES], timeout=8)"
    outcome = learner.run(
        learner.get("run"),
        py(MEGABYTES),
        timeout=8.0,
        called=what,
        deadline=8.0 + GIVE_UP,
        snapshot_at=3.0,
        on_hang=f"Deadlock: {what} never returned, not even at its timeout.",
    )
    if outcome.raised or outcome.snapshot:
        raise failure(
            f"Deadlock: the child writes 4 MB to stdout and 4 MB to stderr and exits, but "
            f"{'run raised ' + type(outcome.error).__name__ if outcome.raised else 'run was still waiting'} "
            f"after {outcome.elapsed:.1f} s. A pipe holds about 64 KB; the child blocks writing to a full "
            "pipe while run waits for it to exit.",
            called=what,
            evidence=outcome.snapshot,
            idea="read both pipes while waiting: communicate() (or subprocess.run) does, wait() does not",
        )
    result = outcome.value
    check_like_run(result, "run")
    if len(result.stdout) != 4 << 20 or len(result.stderr) != 4 << 20:
        raise failure(
            f"run captured {len(result.stdout)} characters of stdout and {len(result.stderr)} of "
            f"stderr; the child wrote {4 << 20} to each."
        )


# ---------------------------------------------------------------- task 2 · run_all


@pytest.mark.task(2)
def test_run_all_of_nothing_is_an_empty_list(learner):
    value = learner.result(
        learner.run(learner.run_all, [], timeout=5.0, called="run_all([], timeout=5)", deadline=5.0 + GIVE_UP)
    )
    if value != []:
        raise failure(f"run_all([], timeout=5) returned {short_repr(value)}; expected [].")


@pytest.mark.task(2)
def test_run_all_runs_each_command_as_run_does(learner):
    commands = [py(SAY_ARGV, "a b", "$HOME", "; echo hi", "*"), py(SAY_STDIN), py(EXIT_3)]
    with grader_stdin(INHERITED), children.watch() as watch:
        outcome = learner.run(
            learner.run_all,
            commands,
            timeout=10.0,
            called="run_all([...], timeout=10)",
            deadline=10.0 + GIVE_UP,
        )
    if outcome.raised and not isinstance(outcome.error, subprocess.TimeoutExpired):
        raise failure(
            f"run_all raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))} for three commands "
            "where one exits with status 3: a non-zero exit status is returned, not raised.",
            called="run_all([SAY_ARGV ..., SAY_STDIN, EXIT_3], timeout=10)",
        )
    if isinstance(outcome.error, subprocess.TimeoutExpired):
        raise failure(
            f"run_all raised TimeoutExpired after {outcome.elapsed:.1f} s, but of its three children only "
            "SAY_STDIN can wait on anything: it reads its stdin to the end. Its stdin never ended: a pipe "
            "(stdin=PIPE) that nothing ever closed.",
            called="run_all([SAY_ARGV ..., SAY_STDIN, EXIT_3], timeout=10)",
            contract="run_all runs each command as run does: with an empty stdin",
            idea="stdin=subprocess.DEVNULL for every child",
        )
    results = learner.result(outcome)
    if not isinstance(results, list) or len(results) != 3:
        raise failure(f"run_all returned {short_repr(results)} for 3 commands; expected a list of 3 results.")
    for result in results:
        check_like_run(result, "run_all")
    check_no_shell(results[0], commands[0], watch, "run_all")
    check_empty_stdin(results[1], "run_all")
    if (results[2].returncode, results[2].stdout, results[2].stderr) != (3, "out\n", "err\n"):
        raise failure(
            f"run_all's third result is returncode={results[2].returncode}, stdout="
            f"{results[2].stdout!r}, stderr={results[2].stderr!r}; expected 3, 'out\\n', 'err\\n'."
        )


@pytest.mark.task(2)
def test_run_all_starts_every_command_before_waiting_on_any(learner, tmp_path):
    # More commands than ThreadPoolExecutor() has workers by default.  Each child runs until the grader
    # has seen all of them running at once, then a little longer than timeout / n: a pool that is too
    # small never has them all running, and a timeout split among the children expires while all still run.
    parties, timeout = DEFAULT_POOL + 1, 2.0
    what = f"run_all([cat gate0, …, cat gate{parties - 1}], timeout={timeout:g})"
    with FifoGate(tmp_path, parties, timeout) as gate:
        outcome = learner.run(
            gate.call, learner.run_all, gate.commands, timeout=timeout, called=what, deadline=timeout + GIVE_UP
        )
    if not gate.opened:
        most = gate.most_running
        raise failure(
            "The children did not run at the same time: each one waits until all of them run, and they came "
            "one after another."
            if most <= 1
            else f"Only {most} of the {parties} children ran at the same time: the others started only after "
            f"some had ended (a pool with fewer workers than commands? ThreadPoolExecutor() has {DEFAULT_POOL} "
            "here by default).",
            called=f"{what}: each child runs until all {parties} are running",
            contract="start every command before waiting on any, so they run at the same time",
            evidence=[
                f"at most {most} of {parties} children were running at once; after {GATHER_WAIT:g} s the "
                "grader let them end"
            ],
            idea="create every Popen first, then wait for them (a pool needs one worker per command)",
        )
    if isinstance(outcome.error, subprocess.TimeoutExpired) and outcome.elapsed < timeout - EARLY:
        raise failure(
            f"run_all raised TimeoutExpired after {outcome.elapsed:.2f} s, before its timeout of {timeout:g} s, "
            f"while all {parties} children were running; they would have ended at {gate.release_at:.2f} s, in "
            f"time. A timeout of its own for each child (timeout / n = {timeout / parties:.2f} s?) is not one "
            "deadline for the batch.",
            called=what,
            contract="timeout is one deadline for the whole batch",
            idea="deadline = time.monotonic() + timeout once; wait each child with deadline - time.monotonic()",
        )
    results = learner.result(outcome)
    printed = [getattr(r, "stdout", None) for r in results] if isinstance(results, list) else None
    if printed != [f"gate {i}\n" for i in range(parties)]:
        raise failure(
            f"run_all returned {short_repr(results)}; each `cat gateI` prints 'gate I\\n', and the results come "
            "back in the order of the commands.",
            called=what,
        )


@pytest.mark.task(2)
def test_run_all_returns_results_in_the_order_of_commands(learner, tmp_path):
    # child 2 finishes first, then child 1, then child 0
    commands = [py(FINISH_AFTER, str(tmp_path), f"child{i}", f"child{i + 1}" if i < 2 else "-") for i in range(3)]
    results = learner.result(
        learner.run(
            learner.run_all,
            commands,
            timeout=10.0,
            called="run_all([...], timeout=10)",
            deadline=10.0 + GIVE_UP,
        )
    )
    printed = [r.stdout.strip() for r in results]
    if printed != ["child0", "child1", "child2"]:
        raise failure(
            f"run_all returned the results of {printed}: the order the children finished in. Results "
            "come back in the order of commands: ['child0', 'child1', 'child2'].",
            called="run_all([child0, child1, child2]) where child2 finishes first and child0 last",
            idea="keep the Popen objects in a list in the order of commands and build the results from it",
        )


@pytest.mark.task(2)
def test_run_all_has_one_deadline_for_the_whole_batch(learner, tmp_path):
    # The first child ends before the deadline, the second after it, the third never.  Waits that each get a
    # timeout of their own add up to at least first + timeout (the first child's exit, then a full timeout for
    # the second), more than timeout + MARGIN; one deadline raises at timeout.  The first child is `sleep`,
    # which starts in a millisecond even on a loaded machine, so it ends before the deadline; a timeout split
    # among the three children (timeout / 3) expires while it still runs, and TimeoutExpired comes early.
    timeout, (first, second) = BATCH_TIMEOUT, BATCH_ENDS
    mark = tmp_path / "child1-finished"
    commands = [[SLEEP_BIN, f"{first:g}"], py(SLEEP_THEN_MARK, f"{second:g}", str(mark)), SLEEP]
    what = f"run_all([sleep {first:g}, sleeps {second:g} s, sleeps 60 s], timeout={timeout:g})"
    give_up = 3 * timeout + GIVE_UP
    outcome = learner.run(
        learner.run_all,
        commands,
        timeout=timeout,
        called=what,
        deadline=give_up,
        on_hang=f"{what} did not return {give_up:g} s after it began.",
    )
    expired = isinstance(outcome.error, subprocess.TimeoutExpired)
    contract = "timeout is one deadline for the whole batch: then every child still running is killed and reaped, "
    contract += "and subprocess.TimeoutExpired is raised"
    idea = "deadline = time.monotonic() + timeout once; wait each child with deadline - time.monotonic()"
    if outcome.raised and not expired:
        got = f"raised {type(outcome.error).__name__}: {short_repr(str(outcome.error))}"
    else:
        got = "raised TimeoutExpired" if expired else f"returned {short_repr(outcome.value)}"
    if outcome.elapsed > timeout + MARGIN:
        raise failure(
            f"run_all {got} only after {outcome.elapsed:.2f} s although timeout={timeout:g}: each child got a "
            "timeout of its own, so the waits added up. There is one deadline for the whole batch.",
            called=what,
            contract=contract,
            evidence=[
                f"the second child ran on {f'to {second:g} s, past the deadline' if mark.exists() else 'until killed'}"
            ],
            idea=idea,
        )
    if expired and outcome.elapsed < timeout - EARLY:
        still = (
            f" the first child, which ends after {first:g} s, was still running and would have ended in time."
            if outcome.elapsed < first
            else " a wait gave up early."
        )
        raise failure(
            f"run_all raised TimeoutExpired after {outcome.elapsed:.2f} s, before its timeout of {timeout:g} s:{still}"
            f" A timeout of its own for each child (timeout / n = {timeout / len(commands):.2f} s?) is not one "
            "deadline for the batch.",
            called=what,
            contract=contract,
            idea=idea,
        )
    if not expired:
        when = "Before its deadline" if outcome.elapsed < timeout - EARLY else "At its deadline"
        if isinstance(outcome.error, TimeoutError):
            lead = (
                f"{when} run_all raised the built-in TimeoutError (after {outcome.elapsed:.2f} s): the "
                "contract wants subprocess.TimeoutExpired, which is not a TimeoutError."
            )
        else:
            lead = (
                f"{when} run_all {got} (after {outcome.elapsed:.2f} s), with two children still "
                "running: it should kill and reap them, then raise subprocess.TimeoutExpired."
            )
        raise failure(
            lead,
            called=what,
            contract=contract,
            idea="kill() and wait() every child still running, then raise subprocess.TimeoutExpired(cmd, timeout)",
        )


@pytest.mark.task(2)
def test_run_all_kills_and_reaps_every_child_at_the_deadline(learner):
    with children.watch() as watch:
        outcome = expect_timeout(learner, "run_all", [SLEEP, SLEEP, SLEEP], KILL_TIMEOUT)
        check_none_left(watch, "run_all", "after raising TimeoutExpired", holding=outcome)


# ---------------------------------------------------------------- task 3 · pipeline


@pytest.mark.task(3)
def test_pipeline_of_no_stages_is_a_value_error(learner):
    outcome = learner.run(
        learner.pipeline,
        [],
        b"data",
        timeout=5.0,
        called="pipeline([], b'data', timeout=5)",
        deadline=5.0 + GIVE_UP,
    )
    if not isinstance(outcome.error, ValueError):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(f"pipeline([], b'data', timeout=5) {got}; a pipeline of no stages is a ValueError.")


@pytest.mark.task(3)
def test_pipeline_feeds_each_stage_into_the_next(learner):
    value = learner.result(
        learner.run(
            learner.pipeline,
            [py(UPPER), py(REVERSE_LINES)],
            b"one\ntwo\n",
            timeout=5.0,
            called="pipeline([UPPER, REVERSE_LINES], b'one\\ntwo\\n')",
            deadline=5.0 + GIVE_UP,
        )
    )
    if value != b"TWO\nONE\n":
        raise failure(
            f"pipeline([UPPER, REVERSE_LINES], b'one\\ntwo\\n') returned {short_repr(value)}; `upper | tac` "
            "gives b'TWO\\nONE\\n'.",
            idea="stdin of stage k+1 = stdout of stage k; return the bytes of the last stage's stdout",
        )


@pytest.mark.task(3)
def test_pipeline_passes_arguments_literally_without_a_shell(learner):
    stages = [py(PASS_ON_AND_SAY_ARGV, "a b", "$HOME", "; echo hi"), py(PASS_ON_AND_SAY_ARGV, "*", "`id`", "|", "'q'")]
    what = f"pipeline([{show(stages[0])}, {show(stages[1])}], b'data\\n', timeout=5)"
    with children.watch() as watch:
        outcome = learner.run(learner.pipeline, stages, b"data\n", timeout=5.0, called=what, deadline=5.0 + GIVE_UP)
    idea = "Popen(stage) for each stage list itself, wiring the pipes in Python: no shell=True, no joined string"
    if isinstance(outcome.error, FileNotFoundError):
        raise failure(
            "pipeline raised FileNotFoundError: it passed a stage as one joined string, which the OS takes as "
            "the name of a program.",
            called=what,
            idea=idea,
        )
    value = learner.result(outcome)
    shells = [s for s in watch.spawned if Path(s.executable).name in SHELLS]
    lines = value.splitlines() if isinstance(value, bytes) else []
    try:
        seen = [json.loads(line) for line in lines[1:]]
    except ValueError:
        seen = []
    if not all(isinstance(s, dict) for s in seen):
        seen = []
    if not shells and (lines[:1] != [b"data"] or len(seen) != 2):
        raise failure(
            f"pipeline returned {short_repr(value)}; each stage passes its input on and adds a line with the "
            "arguments it saw, so the output is b'data\\n' and one line per stage.",
            called=what,
            idea=idea,
        )
    strangers = [i for i, s in enumerate(seen) if s.get("ppid") != os.getpid()]
    if shells or strangers:
        shell_line = plain(" ".join(shells[0].args)) if shells else ""
        started = f" (it started `{shell_line[:60]}…`)" if shells else ""
        parent = "the shell" if shells else f"process {seen[strangers[0]].get('ppid')}"
        raise failure(
            f"pipeline went through a shell{started}: the stages were started by {parent}, not by your process, "
            "and killing the shell at the timeout leaves them running.",
            called=what,
            contract="execute each stage directly, never through a shell: metacharacters reach it as they are",
            evidence=[
                *(f"stage {i + 1} saw argv {s.get('argv')!r}, parent pid {s.get('ppid')}" for i, s in enumerate(seen)),
                f"your process is pid {os.getpid()}",
            ],
            idea=idea,
        )
    wrong = [i for i, s in enumerate(seen) if s.get("argv") != arguments(stages[i])]
    if wrong:
        raise failure(
            f"The arguments did not reach stage {wrong[0] + 1} literally: it saw {seen[wrong[0]].get('argv')!r}.",
            called=what,
            contract="execute each stage directly, never through a shell: metacharacters reach it as they are",
            idea=idea,
        )


@pytest.mark.task(3)
def test_pipeline_runs_every_stage_at_the_same_time(learner, tmp_path):
    # 15 s: stages run in turn take two rendezvous waits plus three interpreter starts, which a loaded
    # machine stretches past 5 s; the mistake must show as "one after another", not as a timeout.
    stages = [py(MEET, str(tmp_path), f"stage {i}", "3", "copy") for i in range(3)]
    value = learner.result(
        learner.run(
            learner.pipeline,
            stages,
            b"data\n",
            timeout=15.0,
            called="pipeline([MEET] * 3, b'data\\n', timeout=15)",
            deadline=15.0 + GIVE_UP,
        )
    )
    reports = value.decode(errors="replace").splitlines()[1:] if isinstance(value, bytes) else []
    if len(reports) != 3 or any(not r.endswith("met 3/3") for r in reports):
        raise failure(
            "The stages did not run at the same time: each waits for the other two to start, and they "
            "ran one after another.",
            called="pipeline([MEET, MEET, MEET], b'data\\n', timeout=15): each stage waits up to 2 s for the others",
            contract="all stages run at the same time; data streams through",
            evidence=reports or [f"pipeline returned {short_repr(value)}"],
            idea="start every stage with Popen first, wiring stdout of one to stdin of the next, then feed it",
        )


@pytest.mark.task(3)
def test_pipeline_moves_16_mb_without_deadlock(learner):
    data = bytes(range(256)) * (16 << 12)
    what = "pipeline([COPY, COPY], 16 MB, timeout=10)"
    outcome = learner.run(
        learner.pipeline,
        [py(COPY), py(COPY)],
        data,
        timeout=10.0,
        called=what,
        deadline=10.0 + GIVE_UP,
        snapshot_at=4.0,
        on_hang=f"Deadlock: {what} never returned, not even at its timeout: the last stage "
        "blocks writing to a full pipe that nobody reads while the input is written.",
    )
    if outcome.raised or outcome.snapshot:
        raise failure(
            f"Deadlock: two stages that copy their input moved nothing for {outcome.elapsed:.1f} s "
            f"({'pipeline raised ' + type(outcome.error).__name__ if outcome.raised else 'still waiting'}). "
            "The last stage blocks writing to a full pipe that nobody reads while the input is written.",
            called=what,
            evidence=outcome.snapshot,
            idea="write the input from a thread while reading the last stage's output (or use communicate())",
        )
    if outcome.value != data:
        raise failure(f"{what} returned {len(outcome.value or b'')} bytes; the stages copy all {len(data)} bytes.")


@pytest.mark.task(3)
def test_pipeline_raises_for_the_first_failing_stage(learner):
    middle = [py(COPY), py(FAIL, "3"), py(COPY)]
    outcome = learner.run(
        learner.pipeline,
        middle,
        b"data",
        timeout=5.0,
        called="pipeline([COPY, FAIL 3, COPY], b'data')",
        deadline=5.0 + GIVE_UP,
    )
    idea = "after the last stage, wait for every stage and raise CalledProcessError for the first non-zero one"
    if isinstance(outcome.error, subprocess.TimeoutExpired):
        raise failure(
            f"pipeline raised TimeoutExpired after {outcome.elapsed:.1f} s, but these stages read 4 bytes and end "
            "as soon as their input ends: a stage never saw the end of its input. A pipe's end of file comes only "
            "when every copy of its write end is closed, and your process still held one (the parent's copy of a "
            "pipe it passed to Popen, or the first stage's stdin never closed).",
            called="pipeline([COPY, FAIL 3, COPY], b'data', timeout=5)",
            contract="if a stage exits non-zero, raise CalledProcessError for the first such stage in order",
            idea="close the parent's copy of every pipe end a stage now owns: os.close(w) after Popen(..., stdout=w), "
            "or pass p.stdout to the next stage and then p.stdout.close(); close the first stage's stdin after "
            "writing",
        )
    if not isinstance(outcome.error, subprocess.CalledProcessError):
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else f"returned {short_repr(outcome.value)}"
        raise failure(
            f"A failing middle stage was ignored: pipeline {got} although stage 2 of 3 exited with status 3.",
            called="pipeline([COPY, FAIL 3, COPY], b'data', timeout=5)",
            contract="if a stage exits non-zero, raise CalledProcessError for the first such stage in order",
            idea=idea,
        )
    two = [py(COPY), py(FAIL, "3"), py(COPY), py(FAIL, "4")]
    outcome = learner.run(
        learner.pipeline,
        two,
        b"data",
        timeout=5.0,
        called="pipeline([COPY, FAIL 3, COPY, FAIL 4], b'data')",
        deadline=5.0 + GIVE_UP,
    )
    error = outcome.error
    if not isinstance(error, subprocess.CalledProcessError) or error.returncode != 3 or not is_stage(error.cmd, two[1]):
        got = (
            f"CalledProcessError(returncode={error.returncode}, cmd={show_cmd(error.cmd)})"
            if isinstance(error, subprocess.CalledProcessError)
            else repr(error)
        )
        raise failure(
            f"pipeline raised {got}; the first failing stage in order is stage 2 (FAIL 3): "
            "CalledProcessError(returncode=3, cmd=that stage's command).",
            called="pipeline([COPY, FAIL 3, COPY, FAIL 4], b'data', timeout=5)",
            idea=idea,
        )


@pytest.mark.task(3)
def test_pipeline_kills_and_reaps_every_stage_at_the_timeout(learner):
    with children.watch() as watch:
        outcome = expect_timeout(learner, "pipeline", [py(COPY), SLEEP, py(COPY)], KILL_TIMEOUT, data=b"data")
        check_none_left(watch, "pipeline", "after raising TimeoutExpired", holding=outcome)
