"""Every grader passes every reference, fails every mutant on the claim meant for it, and fails the
untouched stub on every claim with "not implemented".  Each grade runs in its own process, through
the same runner the scoreboard uses."""

from __future__ import annotations

import pytest

from tests import corpus
from tools import containment
from tools.grading import grade


@pytest.mark.parametrize("reference", corpus.references(), ids=lambda r: r.id)
def test_the_grader_passes_a_reference(reference):
    result = grade(reference.kata, reference.path)
    failing = [f"{c.name}: {c.status}\n{c.message}" for c in result.claims if c.status != "passed"]
    assert result.passed, f"{reference.path.name} should pass; {result.reason}\n" + "\n".join(failing)


@pytest.mark.parametrize("mutant", corpus.mutants(), ids=lambda m: m.id)
def test_the_grader_fails_a_mutant_on_its_claim(mutant):
    """Only the claim meant for the mutant runs (the whole kata, as the board grades it, is
    ``benchmarks/flips.py``'s job): it must fail on its own, whatever ran before it."""
    result = grade(mutant.kata, mutant.path, only=[mutant.claim])
    claims = {c.name: c for c in result.claims}
    assert mutant.claim in claims, f"{mutant.path.name} names {mutant.claim!r}, which the grader does not have"
    assert not result.passed, f"{mutant.path.name} passed {mutant.claim}"
    claim = claims[mutant.claim]
    assert claim.status == "failed", f"{mutant.claim} was {claim.status} for {mutant.path.name}:\n{claim.message}"
    missing = [w for w in mutant.words if w not in claim.message.lower()]
    assert not missing, f"{mutant.claim}'s message lacks {missing}:\n{claim.message}"
    assert len(claim.message.splitlines()) <= 12


@pytest.mark.parametrize("kata", corpus.built(), ids=lambda k: k.name)
def test_the_grader_fails_the_untouched_stub_on_every_claim(kata):
    result = grade(kata)
    assert result.claims, f"kata {kata.number} collected no claims"
    for claim in result.claims:
        assert claim.status == "failed" and "not implemented yet" in claim.message, (
            f"{claim.name} on the stub: {claim.status}\n{claim.message}"
        )


@pytest.mark.parametrize("submission", corpus.hostile(), ids=lambda h: h.id)
def test_a_hostile_submission_fails_within_its_budget_and_leaves_nothing_running(submission):
    mark = containment.new_mark()
    result = grade(submission.kata, submission.path, mark=mark)
    assert not result.passed
    assert not containment.marked(mark), "processes the grading started are still running"
    assert result.duration < submission.kata.budget, f"took {result.duration} s"
    text = "\n".join([result.reason, *(c.message for c in result.claims)]).lower()
    missing = [w for w in submission.words if w not in text]
    assert not missing, f"the report lacks {missing}:\n{text}"
