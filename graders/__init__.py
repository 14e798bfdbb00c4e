"""The graders: one pytest suite per kata, and the harness they share."""

PYTEST_OPTIONS = ("--disable-plugin-autoload", "-p", "pytest_timeout", "-p", "no:cacheprovider", "--assert=plain")
"""Options of every grading run.  Of the installed plugins only pytest-timeout, the outer net, is loaded:
looking the others up and loading them (Hypothesis's imports Hypothesis, 0.13 s) cost 0.2 s a run, and
the harness imports what a claim needs itself (frontrun, Hypothesis).  No cache, and no assertion
rewriting: claims fail with the harness's messages, not bare asserts, and rewriting every plugin module
on each run (bytecode writing is off while grading) cost 1.2 s of startup."""
