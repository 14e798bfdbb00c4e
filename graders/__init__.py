"""The graders: one pytest suite per kata, and the harness they share."""

PYTEST_OPTIONS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:frontrun")
"""Options of every grading run: plugins it does not need (the harness imports frontrun itself, when a
claim needs it)."""
