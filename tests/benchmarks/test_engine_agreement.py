"""On a tiny instance the engine's round reaches the exact optimum of the baseline."""

from __future__ import annotations

import numpy as np
import pytest

import matching
from benchmarks.baseline import baseline_assign, total_score
from benchmarks.cohort import Term, make_cohort

if not hasattr(matching, "assign"):  # the engine's public API is not importable yet
    pytest.skip("matching engine not available", allow_module_level=True)

TERMS = [Term(n, c) for n, c in [
    ("python", "engineering"), ("system design", "engineering"), ("code review", "engineering"),
    ("people management", "leadership"), ("giving feedback", "leadership"),
    ("hiring", "leadership"), ("public speaking", "communication"),
    ("writing", "communication"), ("negotiation", "communication")]]


def test_engine_matches_the_exact_baseline_on_a_small_cohort() -> None:
    cohort = make_cohort(60, 15, seed=5, terms=TERMS)
    mentors = [matching.Mentor(**m) for m in cohort.mentors]
    mentees = [matching.Mentee(**m) for m in cohort.mentees]
    capacity = cohort.capacity
    scores = matching.Matcher().fit(mentors).score(mentees)
    exact = baseline_assign(scores, capacity)
    result = np.asarray(matching.assign(scores, capacity))
    matched = np.flatnonzero(result >= 0)
    assert np.isfinite(scores[matched, result[matched]]).all()
    assert (np.bincount(result[matched], minlength=len(capacity)) <= capacity).all()
    # The engine's solver may round scores to integers; allow that rounding, nothing more.
    assert total_score(scores, result) == pytest.approx(total_score(scores, exact), abs=1e-4)
    report = matching.evaluate(scores, result, capacity)
    assert report["total_score"] == pytest.approx(total_score(scores, result), rel=1e-5)
