"""Certified rounds and dense input: exactly the optimum over every allowed pair.

The reference is an independent exact solver, ``linear_sum_assignment`` on the
seat-expanded matrix of the same integer weights the engine solves with, so
the totals must agree to the unit, not within a tolerance.
"""

import random

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import Matcher, Mentee, Mentor, Round, assign, reading
from matching.dense import solve_dense
from matching.flow import integer_weights, row_divisor

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TAGS = ["python", "people management", "ux design", "kubernetes", "public speaking", "data science", "marketing"]
ZONES = [None, "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London"]
OPTIONS = [{}, {"objective": "coverage"}, {"min_score": 0.45}, {"equity": 1.0},
           {"equity": 0.5, "min_score": 0.3, "objective": "coverage"}]


def weights(scores: np.ndarray, capacity: np.ndarray, min_score: float | None = None,
            equity: float = 0.0) -> np.ndarray:
    """The integer weight of every pair as assign defines it; None (object) where not allowed."""
    allowed = np.isfinite(scores) & (capacity > 0)[None, :]
    if min_score is not None:
        allowed &= scores >= min_score
    rows, cols = np.nonzero(allowed)
    values = scores[rows, cols] / row_divisor(rows, scores[rows, cols], len(scores), equity)[rows]
    out = np.full(scores.shape, np.iinfo(np.int64).min)
    out[rows, cols] = integer_weights(values, float(np.abs(values).max()) if len(values) else 0.0)
    return out


def exact(w: np.ndarray, capacity: np.ndarray, coverage: bool) -> tuple[int, int]:
    """(matched, total weight minus one unit per unmatched mentee) of the optimum, by linear_sum_assignment."""
    n, m = w.shape
    seats = np.repeat(np.arange(m), np.minimum(capacity, n))
    allowed = w[:, seats] > np.iinfo(np.int64).min
    far = 2.0**52
    bonus = 2.0**36 * (2 * n + 2) if coverage else 0.0
    real = np.where(allowed, -(w[:, seats].astype(float) + bonus), far)
    cost = np.hstack([real, np.where(np.eye(n, dtype=bool), 0.0 if coverage else 1.0, far)])
    r, c = linear_sum_assignment(cost)
    made = (c < len(seats)) & (cost[r, c] < far)
    return int(made.sum()), int(w[r[made], seats[c[made]]].sum()) - (n - int(made.sum()))


def achieved(w: np.ndarray, capacity: np.ndarray, a: np.ndarray) -> tuple[int, int]:
    """(matched, total weight minus unmatched) of an assignment, after checking it is valid."""
    idx = np.flatnonzero(a >= 0)
    assert np.all(w[idx, a[idx]] > np.iinfo(np.int64).min), "a pair that is not allowed was made"
    assert np.all(np.bincount(a[idx], minlength=len(capacity)) <= capacity)
    return len(idx), int(w[idx, a[idx]].sum()) - (len(a) - len(idx))


def check_optimal(scores: np.ndarray, capacity: np.ndarray, a: np.ndarray, options: dict) -> None:
    w = weights(scores, capacity, options.get("min_score"), options.get("equity", 0.0))
    coverage = options.get("objective") == "coverage"
    got, best = achieved(w, capacity, a), exact(w, capacity, coverage)
    if coverage:
        assert got == best
    else:
        assert got[1] == best[1]


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[list[Mentor], list[Mentee], np.ndarray, float | None]:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(1, 40)), draw(st.integers(1, 7))
    langs = [["en"], ["de"], ["en", "de"], []]
    mentors = [Mentor(id=j, expertise=rng.sample(TAGS, rng.randint(0, 3)), languages=rng.choice(langs),
                      timezone=rng.choice(ZONES), years_experience=rng.choice([None, 3, 8, 15]))
               for j in range(m)]
    mentees = [Mentee(id=i, skills_to_grow=rng.sample(TAGS, rng.randint(0, 2)), languages=rng.choice(langs),
                      timezone=rng.choice(ZONES), years_experience=rng.choice([None, 1, 5]),
                      exclude={rng.randrange(m)} if rng.random() < 0.1 else None)
               for i in range(n)]
    capacity = np.array([rng.choice([0, 1, 1, 2, 3]) for _ in range(m)])
    return mentors, mentees, capacity, draw(st.sampled_from([None, 6.0]))


@SETTINGS
@given(cohorts(), st.sampled_from(OPTIONS), st.sampled_from([1, 2, 50]))
def test_round_is_the_optimum_over_every_allowed_pair(cohort: tuple, options: dict, k: int) -> None:
    mentors, mentees, capacity, gap = cohort
    matcher = Matcher(max_timezone_gap_hours=gap).fit(mentors)
    result = matcher.round(mentees, capacity, k=k, **options)
    assert isinstance(result, Round) and result.certified and result.passes >= 1
    check_optimal(matcher.score(mentees), capacity, result.assignment, options)


def test_round_adds_the_pairs_candidates_miss() -> None:
    # 40 mentees, 6 crowded mentors, one candidate each: solving on the
    # candidates alone leaves score on the table; the certified round does not.
    rng = random.Random(39)
    mentors = [Mentor(id=j, expertise=rng.sample(TAGS, 2), languages=rng.choice([["en"], ["en", "de"]]),
                      years_experience=rng.randint(0, 20)) for j in range(6)]
    mentees = [Mentee(id=i, skills_to_grow=rng.sample(TAGS, 2), languages=["en"], years_experience=rng.randint(0, 10))
               for i in range(40)]
    capacity = np.array([1, 1, 2, 1, 3, 1])
    matcher = Matcher().fit(mentors)
    scores = matcher.score(mentees)
    w = weights(scores, capacity)
    on_candidates = achieved(w, capacity, assign(matcher.candidates(mentees, k=1), capacity))
    result = matcher.round(mentees, capacity, k=1)
    assert on_candidates[1] < exact(w, capacity, False)[1] == achieved(w, capacity, result.assignment)[1]
    assert result.passes >= 2 and result.extra_pairs > 0
    np.testing.assert_array_equal(result.assignment, matcher.round(mentees, capacity, k=1).assignment)
    check_scores(matcher, mentees, capacity, result)  # a pair made outside the candidates is read


def test_round_validates_like_assign_and_candidates() -> None:
    matcher = Matcher().fit([Mentor(id=1), Mentor(id=2)])
    with pytest.raises(ValueError, match="capacity must have one entry per mentor"):
        matcher.round([Mentee(id=1)], [1])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        matcher.round([Mentee(id=1)], [1, 1], k=0)
    with pytest.raises(ValueError, match="objective must be one of"):
        matcher.round([Mentee(id=1)], [1, 1], objective="fast")
    with pytest.raises(ValueError, match="not fitted"):
        Matcher().round([Mentee(id=1)], [1])
    assert matcher.round([], [1, 1]).assignment.tolist() == []
    assert matcher.round([Mentee(id=1)], [0, 0]).assignment.tolist() == [-1]


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(1, 40)), draw(st.integers(1, 10))
    levels = draw(st.sampled_from([None, np.array([0.0, 0.25, 0.5, 1.0]), np.linspace(-0.5, 1, 7)]))
    scores = rng.random((n, m)) if levels is None else rng.choice(levels, size=(n, m))
    scores[rng.random((n, m)) < draw(st.floats(0, 0.6))] = -np.inf
    return scores, rng.integers(0, draw(st.sampled_from([2, 4, 30])), size=m)


@SETTINGS
@given(matrices(), st.sampled_from(OPTIONS), st.sampled_from([1, 2]))
def test_dense_input_from_its_best_entries_is_exactly_optimal(inst: tuple, options: dict, per_row: int) -> None:
    scores, capacity = inst
    a = solve_dense(scores, np.minimum(capacity, len(scores)), per_row=per_row, **options).assignment
    check_optimal(scores, capacity, a, options)


def test_large_dense_input_takes_the_certified_path_and_stays_optimal() -> None:
    rng = np.random.default_rng(5)
    scores = np.round(rng.random((700, 400)), 3)
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(0, 3, size=400)
    a = assign(scores, capacity)
    check_optimal(scores, capacity, a, {})
    rows, cols = np.nonzero(np.isfinite(scores))
    sparse = sp.csr_matrix((scores[rows, cols], (rows, cols)), shape=scores.shape)
    assert achieved(weights(scores, capacity), capacity, a) == achieved(
        weights(scores, capacity), capacity, assign(sparse, capacity))
    with pytest.raises(ValueError, match="NaN"):
        assign(np.where(rng.random(scores.shape) < 0.001, np.nan, scores), capacity)


@st.composite
def plain_cohorts(draw: st.DrawFn) -> tuple[list[Mentor], list[Mentee], np.ndarray]:
    """Bigger cohorts whose mentees wrote nothing: scores are sums of the structured criteria,
    exactly the same numbers however the rows and mentors are cut into blocks."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(20, 120)), draw(st.integers(8, 40))
    langs = [["en"], ["de"], ["en", "de"], ["fr"], []]
    industries = [None, "fintech", "media", "health"]
    mentors = [Mentor(id=j, expertise=rng.sample(TAGS, rng.randint(0, 2)), languages=rng.choice(langs),
                      timezone=rng.choice(ZONES), years_experience=rng.choice([None, 2, 5, 9, 14, 20]),
                      industry=rng.choice(industries)) for j in range(m)]
    mentees = [Mentee(id=i, languages=rng.choice(langs), timezone=rng.choice(ZONES),
                      years_experience=rng.choice([None, 0, 3, 6]), industry=rng.choice(industries),
                      exclude={rng.randrange(m)} if rng.random() < 0.1 else None) for i in range(n)]
    return mentors, mentees, np.array([rng.choice([0, 1, 1, 2, 3]) for _ in range(m)])


def small_reads(mp: pytest.MonkeyPatch, n_mentors: int) -> list[int]:
    """Read a few rows and a few mentors at a time, on two threads; returns the widths read."""
    mp.setattr("matching.rectangles._CHUNK_CELLS", 5 * n_mentors)
    mp.setattr("matching.rectangles.BLOCK_CELLS", 2 * n_mentors)
    mp.setattr("matching.reading._GROUP_ROWS", 3)
    widths: list[int] = []
    rectangles = reading._rectangles

    def spy(rows: np.ndarray, limits: np.ndarray, prices: np.ndarray) -> tuple:
        found = rectangles(rows, limits, prices)
        widths.extend(n_mentors if cols is None else len(cols) for _, cols in found[0])
        return found

    mp.setattr("matching.reading._rectangles", spy)
    return widths


@SETTINGS
@given(plain_cohorts(), st.sampled_from(OPTIONS), st.sampled_from([1, 3]))
def test_round_read_in_small_blocks_of_cheap_seats_is_the_optimum(cohort: tuple, options: dict, k: int) -> None:
    mentors, mentees, capacity = cohort
    matcher = Matcher(max_timezone_gap_hours=9.0).fit(mentors)
    with pytest.MonkeyPatch.context() as mp:
        small_reads(mp, len(mentors))
        result = matcher.round(mentees, capacity, k=k, **options)
    assert result.certified
    check_optimal(matcher.score(mentees), capacity, result.assignment, options)


def test_rows_are_read_only_at_the_seats_cheap_enough_to_matter() -> None:
    rng = random.Random(4)
    mentors = [Mentor(id=j, languages=rng.choice([["en"], ["en", "de"]]), timezone=rng.choice(ZONES[1:]),
                      years_experience=rng.randint(1, 20), industry=rng.choice(["fintech", "media", "health"]))
               for j in range(40)]
    mentees = [Mentee(id=i, languages=rng.choice([["en"], ["de"]]), timezone=rng.choice(ZONES[1:]),
                      years_experience=rng.randint(0, 8), industry=rng.choice(["fintech", "media", "health", None]))
               for i in range(150)]
    capacity = np.array([rng.choice([1, 2, 3, 4]) for _ in range(40)])
    matcher = Matcher().fit(mentors)
    with pytest.MonkeyPatch.context() as mp:
        widths = small_reads(mp, len(mentors))
        result = matcher.round(mentees, capacity, k=2)
    assert result.certified and result.passes >= 2 and result.extra_pairs > 0
    assert min(widths) < len(mentors) // 4  # some rows were read at a few mentors only
    check_optimal(matcher.score(mentees), capacity, result.assignment, {})


#: A score read from some mentors may differ from the full product's in the last
#: float32 bits of the text term; the square root in its calibration magnifies that
#: near zero, so compare at a few float32 units of a score in [0, 1].
SCORE_TOL = 1e-6


def check_scores(matcher: Matcher, mentees: list[Mentee], capacity: np.ndarray, result: Round) -> None:
    """``Round.scores`` and ``Round.best`` are what the full score matrix says."""
    scores = matcher.score(mentees)
    a = result.assignment
    matched = a >= 0
    np.testing.assert_array_equal(np.isnan(result.scores), ~matched)
    np.testing.assert_allclose(result.scores[matched], scores[np.flatnonzero(matched), a[matched]],
                               rtol=0, atol=SCORE_TOL)
    best = np.where((capacity > 0)[None, :], scores, -np.inf).max(axis=1, initial=-np.inf)
    np.testing.assert_array_equal(np.isneginf(result.best), np.isneginf(best))
    np.testing.assert_allclose(result.best[np.isfinite(best)], best[np.isfinite(best)], rtol=0, atol=SCORE_TOL)


@SETTINGS
@given(cohorts(), st.sampled_from(OPTIONS), st.sampled_from([1, 2, 50]))
def test_round_scores_and_best_are_those_of_the_full_matrix(cohort: tuple, options: dict, k: int) -> None:
    mentors, mentees, capacity, gap = cohort
    matcher = Matcher(max_timezone_gap_hours=gap).fit(mentors)
    check_scores(matcher, mentees, capacity, matcher.round(mentees, capacity, k=k, **options))


@SETTINGS
@given(plain_cohorts(), st.sampled_from(OPTIONS), st.sampled_from([1, 3]))
def test_round_scores_read_in_small_blocks_are_those_of_the_full_matrix(cohort: tuple, options: dict,
                                                                         k: int) -> None:
    mentors, mentees, capacity = cohort
    matcher = Matcher(max_timezone_gap_hours=9.0).fit(mentors)
    with pytest.MonkeyPatch.context() as mp:
        small_reads(mp, len(mentors))
        mp.setattr("matching.rounds._OWN_ROWS", 2)
        result = matcher.round(mentees, capacity, k=k, **options)
    check_scores(matcher, mentees, capacity, result)


def test_round_best_reads_the_rows_whose_candidates_are_all_at_full_mentors() -> None:
    # Every mentee's best candidate is the mentor without seats: the best open score
    # is outside the candidates and must be read.
    mentors = [Mentor(id=0, expertise=["ux design"], languages=["en"]),
               Mentor(id=1, expertise=["kubernetes"], languages=["en"]),
               Mentor(id=2, expertise=["marketing"], languages=["de"])]
    mentees = [Mentee(id=i, skills_to_grow=["ux design"], languages=["en"]) for i in range(4)]
    capacity = np.array([0, 1, 1])
    matcher = Matcher().fit(mentors)
    result = matcher.round(mentees, capacity, k=1)
    assert np.isfinite(result.best).all()
    check_scores(matcher, mentees, capacity, result)
    assert matcher.round(mentees, np.array([0, 0, 0]), k=1).best.tolist() == [-np.inf] * 4


@SETTINGS
@given(cohorts(), st.sampled_from(OPTIONS))
def test_round_explains_its_pairs_as_explain_many_does(cohort: tuple, options: dict) -> None:
    mentors, mentees, capacity, gap = cohort
    matcher = Matcher(max_timezone_gap_hours=gap).fit(mentors)
    result = matcher.round(mentees, capacity, k=2, explain=True, **options)
    made = np.flatnonzero(result.assignment >= 0)
    assert result.reasons is not None and len(result.reasons) == len(mentees)
    assert [result.reasons[i] for i in made] == matcher.explain_many([mentees[i] for i in made],
                                                                      result.assignment[made])
    assert all(result.reasons[i] == [] for i in np.flatnonzero(result.assignment < 0))
    assert matcher.round(mentees, capacity, k=2, **options).reasons is None
