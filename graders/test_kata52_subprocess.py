"""Kata 52 · Child processes: the claims.

The children are small ``python -c`` programs that report what they saw (their argv, their parent,
their stdin) or meet at a rendezvous in a folder, so "no shell", "empty stdin" and "at the same
time" are proven by what the children observed.  Which children are left behind, running or as
zombies, comes from ``/proc`` (``harness.children``), not from the learner's Popen objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graders.harness import children
from graders.harness.messages import failure, short_repr

PY = sys.executable
MARGIN = 1.0
"""Seconds past ``timeout`` that raising TimeoutExpired may take on a loaded machine."""
ONE_DEADLINE_MARGIN = 0.6
"""The margin of the one-deadline claim: below the 1 s by which waits-per-child overrun it."""
GIVE_UP = 4.0
"""Seconds past ``timeout`` after which a call that has not returned is a hang."""
ORDER_GAP = 0.25
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
SLEEP = "import time; time.sleep(60)"
MEGABYTES = "import sys; chunk = 'x' * 65536\nfor _ in range(64): sys.stdout.write(chunk); sys.stderr.write(chunk)"
COPY = (
    "import sys\n"
    "while chunk := sys.stdin.buffer.read1(65536): sys.stdout.buffer.write(chunk); sys.stdout.buffer.flush()"
)
UPPER = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().upper())"
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
    return [PY, "-c", code, *args]


def show(command: list[str]) -> str:
    """A command as the learner would recognise it: ``python -c SAY_ARGV 'a b'``."""
    names = {code: name for name, code in globals().items() if isinstance(code, str) and name.isupper()}
    if command[:2] == [PY, "-c"]:
        return " ".join(["python", "-c", names.get(command[2], "…"), *map(repr, command[3:])])
    return " ".join(command)


@pytest.fixture(autouse=True)
def no_child_survives_a_claim() -> Iterator[None]:
    """Kill whatever a claim's children left behind, once the claim has judged it."""
    with children.watch() as watch:
        yield
    children.kill(watch.left_behind())


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


def check_no_shell(
    result: subprocess.CompletedProcess[str], command: list[str], watch: children.ChildWatch, what: str
) -> None:
    shells = [s for s in watch.spawned if Path(s.executable).name in ("sh", "bash", "dash")]
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
    if shells or seen is None or seen["argv"] != command[3:] or seen["ppid"] != os.getpid():
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
    if result.stdout.strip() != "''":
        raise failure(
            f"{what}'s child inherited the grader's stdin: it read {result.stdout.strip()} instead of nothing. "
            "A child that inherits stdin can wait on the user's terminal forever.",
            contract="with input=None the child's stdin is empty",
            idea="stdin=subprocess.DEVNULL when there is no input",
        )


def check_none_left(watch: children.ChildWatch, what: str, when: str) -> None:
    left = watch.left_behind(settle=0.5)
    if left:
        raise failure(
            f"{what} left {len(left)} child process{'es' if len(left) > 1 else ''} behind {when}: "
            f"{left[0].describe()}.",
            evidence=[c.describe() for c in left],
            contract="at the deadline every child is killed and reaped: no child outlives the call",
            idea="proc.kill() then proc.wait() (or communicate()) for every child before raising",
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
        result = learner.result(
            learner.run(
                learner.get("run"),
                py(SAY_STDIN),
                timeout=10.0,
                called="run([python, -c, SAY_STDIN])",
                deadline=10.0 + GIVE_UP,
            )
        )
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
        expect_timeout(learner, "run", py(SLEEP), 0.3)
        check_none_left(watch, "run", "after raising TimeoutExpired")


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
    commands = [py(MEET, str(tmp_path), f"child {i}", "3") for i in range(3)]
    results = learner.result(
        learner.run(
            learner.run_all,
            commands,
            timeout=10.0,
            called="run_all([MEET] * 3, timeout=10)",
            deadline=10.0 + GIVE_UP,
        )
    )
    reports = [r.stdout.strip() for r in results]
    if any(not report.endswith("met 3/3") for report in reports):
        raise failure(
            "The children did not run at the same time: each waits for the other two to arrive, and "
            "they came one after another.",
            called="run_all([MEET, MEET, MEET], timeout=10): each child waits up to 2 s for the others",
            contract="start every command before waiting on any",
            evidence=[f"{report}" for report in reports],
            idea="create every Popen first, then wait for them",
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
    # The first child ends halfway to the deadline, the others never: waits that each get their own
    # timeout add up to at least 1 + 2 s, while one deadline raises at 2 s (ONE_DEADLINE_MARGIN late
    # at most).  The first child's 1 s of slack covers a slow interpreter start on a loaded machine.
    timeout = 2.0
    mark = tmp_path / "child1-finished"
    commands = [py("import time; time.sleep(1.0)"), py(SLEEP_THEN_MARK, "2.7", str(mark)), py(SLEEP)]
    what = f"run_all([sleeps 1 s, sleeps 2.7 s, sleeps 60 s], timeout={timeout:g})"
    give_up = 3 * timeout + GIVE_UP
    outcome = learner.run(
        learner.run_all,
        commands,
        timeout=timeout,
        called=what,
        deadline=give_up,
        on_hang=f"{what} did not return {give_up:g} s after it began.",
    )
    if not isinstance(outcome.error, subprocess.TimeoutExpired) or outcome.elapsed > timeout + MARGIN:
        got = f"raised {type(outcome.error).__name__}" if outcome.raised else "returned"
        raise failure(
            f"run_all {got} after {outcome.elapsed:.2f} s although timeout={timeout:g}: each child got a "
            "timeout of its own, so the waits added up. There is one deadline for the whole batch.",
            called=what,
            contract="timeout is one deadline for the whole batch",
            evidence=[f"the second child ran on {'to 2.7 s, past the deadline' if mark.exists() else 'until killed'}"],
            idea="deadline = time.monotonic() + timeout once; wait each child with deadline - time.monotonic()",
        )


@pytest.mark.task(2)
def test_run_all_kills_and_reaps_every_child_at_the_deadline(learner):
    with children.watch() as watch:
        expect_timeout(learner, "run_all", [py(SLEEP), py(SLEEP), py(SLEEP)], 0.3)
        check_none_left(watch, "run_all", "after raising TimeoutExpired")


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
def test_pipeline_runs_every_stage_at_the_same_time(learner, tmp_path):
    stages = [py(MEET, str(tmp_path), f"stage {i}", "3", "copy") for i in range(3)]
    value = learner.result(
        learner.run(
            learner.pipeline,
            stages,
            b"data\n",
            timeout=5.0,
            called="pipeline([MEET] * 3, b'data\\n', timeout=5)",
            deadline=5.0 + GIVE_UP,
        )
    )
    reports = value.decode(errors="replace").splitlines()[1:] if isinstance(value, bytes) else []
    if len(reports) != 3 or any(not r.endswith("met 3/3") for r in reports):
        raise failure(
            "The stages did not run at the same time: each waits for the other two to start, and they "
            "ran one after another.",
            called="pipeline([MEET, MEET, MEET], b'data\\n', timeout=5): each stage waits up to 2 s for the others",
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
    if not isinstance(error, subprocess.CalledProcessError) or error.returncode != 3 or list(error.cmd) != two[1]:
        got = (
            f"CalledProcessError(returncode={error.returncode}, cmd={show(list(error.cmd))})"
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
        expect_timeout(learner, "pipeline", [py(COPY), py(SLEEP), py(COPY)], 0.3, data=b"data")
        check_none_left(watch, "pipeline", "after raising TimeoutExpired")
