"""Property-based claims: Hypothesis, with its profiles registered once, for the graders that use it.

Only the graders that generate examples import this module, so the others do not pay for importing
Hypothesis (about 0.2 s of every grading).  ``KATA_HYPOTHESIS_PROFILE`` picks the profile:

- ``grading`` (default): derandomized, so a verdict is the same on every run; no deadline per example
  (a loaded machine is slow, not wrong); no example database; 40 examples.
- ``thorough``: 400 random examples, for the project's own hunts for a grader's blind spots.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

__all__ = ["given", "st"]

settings.register_profile(
    "grading",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=40,
    print_blob=False,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    database=None,
    max_examples=400,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("KATA_HYPOTHESIS_PROFILE", "grading"))
