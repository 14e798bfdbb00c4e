"""Plumbing for every grader: the submission, per-claim deadlines, messages, results.

- ``--submission FILE`` grades FILE instead of ``katas/kataNN_<topic>.py``.
- ``--results-json PATH`` writes each claim's verdict as JSON lines (see ``harness/results.py``).
- The ``learner`` fixture is the submission with the calls graders make into it.
- A failing claim prints its message, not a traceback.
- The process ends with ``os._exit`` if threads the learner left would keep it alive.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.harness import deadline, messages, results
from graders.harness.submission import Submission
from graders.manifest import ROOT, Kata, kata_of_grader


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", metavar="FILE", help="grade FILE instead of katas/kataNN_<topic>.py")
    results.add_option(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the task of the kata's docstring this claim grades")
    # Process pools fork from a grading process that runs threads; on 3.12+ that warns, not the learner's doing.
    config.addinivalue_line("filterwarnings", "ignore:This process .* is multi-threaded:DeprecationWarning")
    path = config.getoption(results.OPTION)
    if path:
        fd = config.getoption(results.TOKEN_OPTION)
        token = results.read_token(fd) if fd is not None else ""
        config.pluginmanager.register(results.ResultsWriter(path, token), "kata-results")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kata = kata_of_grader(item.path)
        item.add_marker(pytest.mark.timeout(kata.budget))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    results.mark_claim_failed(report, call.excinfo)
    _blame_the_learner_for_a_crashed_thread(item, report, call.excinfo)
    return report


def _blame_the_learner_for_a_crashed_thread(
    item: pytest.Item, report: pytest.TestReport, excinfo: pytest.ExceptionInfo[BaseException] | None
) -> None:
    """An exception that escaped a thread of the learner's (or that Python could only ignore, in the learner's
    code) reaches pytest as an "unraisable exception" warning, which the project's settings turn into an error:
    a failure of the claim that was running, in the learner's terms, not a grader error."""
    if excinfo is None or not report.failed or getattr(report, "claim_failed", False):
        return
    errors = list(excinfo.value.exceptions) if isinstance(excinfo.value, BaseExceptionGroup) else [excinfo.value]
    if not errors or not all(isinstance(e, pytest.PytestUnraisableExceptionWarning) for e in errors):
        return
    submission = _submission_of(item)
    text, cause = str(errors[0].args[0] if errors[0].args else errors[0]), errors[0].__cause__
    frames = traceback.extract_tb(cause.__traceback__) if cause is not None else []
    mine = [f for f in frames if submission is not None and submission.owns(f.filename)]
    in_thread = text.startswith("Exception ignored in thread started by")
    thread = re.search(r"<Thread\((.+?), (?:started|stopped|initial)", text)
    if not in_thread and not mine:
        return  # not a thread, not the learner's code: the grader's to explain
    where = mine[-1] if mine else (frames[-1] if frames else None)
    shown = f"{type(cause).__name__}: {messages.short_repr(str(cause), 100)}" if cause else text.splitlines()[0]
    if in_thread:
        what = (
            f"A thread your code started ({thread.group(1) if thread else 'a thread'}) crashed inside threading's own "
            f"code with {shown}: typically, one Thread object was started twice, from two threads at once."
        )
        idea = "start each Thread object exactly once, from one thread; keep the list of threads under a lock"
    else:
        what = (
            f"Your code raised {shown} where Python can only print it and go on (in a __del__ method, a callback "
            "or a generator being closed): nobody could catch it."
        )
        idea = None
    report.longrepr = str(
        messages.failure(
            what,
            evidence=[
                f"at {Path(where.filename).name}:{where.lineno} `{(where.line or '').strip()}`" if where else "",
                f"{len(errors)} such exception(s), noticed while this claim ran (it may have happened just before)",
            ],
            idea=idea,
        )
    )
    report.claim_failed = True  # type: ignore[attr-defined]


def _submission_of(item: pytest.Item) -> Submission | None:
    option = item.config.getoption("--submission")
    path = Path(option).resolve() if option else kata_of_grader(item.path).stub
    return _submissions.get(path)


class Learner:
    """The learner's submission as graders use it: its names, and calls under a deadline.

    ``learner.Bank`` is the submission's ``Bank``; a public name that clashes with a method here
    (kata 52's ``run``) is reached with ``learner.get("run")``.
    """

    def __init__(self, submission: Submission, kata: Kata) -> None:
        self.submission = submission
        self.kata = kata

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.submission.get(name)

    def get(self, name: str) -> Any:
        return self.submission.get(name)

    def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> deadline.Outcome:
        """``deadline.run`` for this submission: see its docstring for the keywords."""
        return deadline.run(self.submission, fn, *args, **kwargs)

    def implemented(self, error: BaseException | None, called: str) -> None:
        """Fail with "not implemented yet" if ``error`` is the stub's NotImplementedError (for errors a claim
        caught itself rather than through :meth:`run`)."""
        name = self.submission.not_implemented_name(error) if error is not None else None
        if name:
            raise messages.failure(f"not implemented yet: {name}", evidence=[f"{called} raised NotImplementedError."])

    def result(self, outcome: deadline.Outcome) -> Any:
        return deadline.result(self.submission, outcome)


_submissions: dict[Path, Submission] = {}


@pytest.fixture
def learner(request: pytest.FixtureRequest) -> Learner:
    kata = kata_of_grader(request.path)
    option = request.config.getoption("--submission")
    path = Path(option).resolve() if option else kata.stub
    if path not in _submissions:
        display = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        _submissions[path] = Submission(path, display)
    messages.context.number, messages.context.item = kata.number, kata.item
    stuck = deadline.still_stuck()
    if stuck:
        raise messages.failure(
            f"Not graded: an earlier claim's call, {stuck}, is still stuck in your code, and its threads "
            "would disturb this claim. Fix that hang first."
        )
    return Learner(_submissions[path], kata)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave now if the learner's threads would keep the interpreter from exiting."""
    stuck = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if stuck:
        status = getattr(config, "_kata_exitstatus", 1)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._kata_exitstatus = int(exitstatus)  # type: ignore[attr-defined]
