"""The graders: one pytest suite per kata, and the harness they share."""

PYTEST_OPTIONS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:frontrun", "--assert=plain")
"""Options of every grading run: plugins it does not need (the harness imports frontrun itself, when a
claim needs it), and no assertion rewriting: claims fail with the harness's messages, not bare asserts, and
rewriting every plugin module on each run (bytecode writing is off while grading) cost 1.2 s of startup."""
