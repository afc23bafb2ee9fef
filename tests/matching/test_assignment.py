"""Assignment: exact optimum against an independent solver, and its invariants."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import assign, evaluate

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exact_total(scores: np.ndarray, capacity: np.ndarray, min_score: float | None = None,
                coverage: bool = False) -> tuple[int, float]:
    """(matched, total) of the optimum by linear_sum_assignment on seats plus one way out per mentee."""
    n, m = scores.shape
    allowed = np.isfinite(scores)
    if min_score is not None:
        allowed &= scores >= min_score
    seats = np.repeat(np.arange(m), np.minimum(capacity, n))
    big = 1.0 + 2 * n * (np.abs(scores[allowed]).max() + 1 if allowed.any() else 1.0)
    real = np.where(allowed, -(scores + (big if coverage else 0.0)), np.inf)[:, seats]
    real[~np.isfinite(real)] = 1e18  # never worth taking: the way out costs 0
    cost = np.hstack([real, np.where(np.eye(n, dtype=bool), 0.0, 1e18)])
    r, c = linear_sum_assignment(cost)
    made = c < len(seats)
    made &= cost[r, c] < 1e17
    pairs = scores[r[made], seats[c[made]]]
    return int(made.sum()), float(pairs.sum())


def total(scores: np.ndarray, a: np.ndarray) -> float:
    idx = np.flatnonzero(a >= 0)
    return float(scores[idx, a[idx]].sum())


@st.composite
def instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 6))
    # few distinct values so ties are common
    levels = draw(st.sampled_from([np.array([0.0, 0.25, 0.5, 1.0]), np.linspace(-0.5, 1, 7), None]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = rng.choice(levels, size=(n, m)) if levels is not None else rng.random((n, m))
    scores[rng.random((n, m)) < draw(st.floats(0, 0.6))] = -np.inf
    capacity = rng.integers(0, draw(st.sampled_from([2, 4, 30])), size=m)
    return scores, capacity


def check_valid(scores: np.ndarray, capacity: np.ndarray, a: np.ndarray, min_score: float | None = None) -> None:
    assert a.shape == (scores.shape[0],) and a.dtype.kind == "i"
    idx = np.flatnonzero(a >= 0)
    assert np.all(np.isfinite(scores[idx, a[idx]])), "a forbidden pair was made"
    assert np.all(np.bincount(a[idx], minlength=len(capacity)) <= capacity)
    if min_score is not None:
        assert np.all(scores[idx, a[idx]] >= min_score)


def check_no_free_pair_left(scores: np.ndarray, capacity: np.ndarray, a: np.ndarray) -> None:
    """No unmatched mentee has an allowed pair scoring >= 0 with a mentor who has a free seat."""
    free = np.bincount(a[a >= 0], minlength=len(capacity)) < capacity
    assert not np.any((scores[a < 0] >= 0) & free), "a free pair that costs nothing was left unmade"


@SETTINGS
@given(instances())
def test_score_objective_reaches_the_exact_optimum(inst: tuple) -> None:
    scores, capacity = inst
    a = assign(scores, capacity)
    check_valid(scores, capacity, a)
    check_no_free_pair_left(scores, capacity, a)
    assert total(scores, a) == pytest.approx(exact_total(scores, capacity)[1], abs=1e-9)
    np.testing.assert_array_equal(a, assign(scores, capacity))  # deterministic


@SETTINGS
@given(instances(), st.sampled_from([0.0, 0.3, 0.6]))
def test_min_score_is_respected_and_still_optimal(inst: tuple, min_score: float) -> None:
    scores, capacity = inst
    a = assign(scores, capacity, min_score=min_score)
    check_valid(scores, capacity, a, min_score)
    assert total(scores, a) == pytest.approx(exact_total(scores, capacity, min_score)[1], abs=1e-9)


@SETTINGS
@given(instances())
def test_coverage_objective_matches_most_then_scores_best(inst: tuple) -> None:
    scores, capacity = inst
    a = assign(scores, capacity, objective="coverage")
    check_valid(scores, capacity, a)
    matched, best = exact_total(scores, capacity, coverage=True)
    assert int((a >= 0).sum()) == matched
    assert total(scores, a) == pytest.approx(best, abs=1e-9)


@SETTINGS
@given(instances())
def test_sparse_input_gives_the_same_optimum(inst: tuple) -> None:
    scores, capacity = inst
    rows, cols = np.nonzero(np.isfinite(scores))
    sparse = sp.csr_matrix((scores[rows, cols], (rows, cols)), shape=scores.shape)
    a = assign(sparse, capacity)
    check_valid(scores, capacity, a)
    assert total(scores, a) == pytest.approx(exact_total(scores, capacity)[1], abs=1e-9)


@SETTINGS
@given(instances(), st.sampled_from([0.5, 1.0]))
def test_equity_keeps_every_invariant(inst: tuple, equity: float) -> None:
    scores, capacity = inst
    a = assign(scores, capacity, equity=equity, min_score=0.0)
    check_valid(scores, capacity, a, 0.0)


def test_large_random_instance_is_optimal() -> None:
    rng = np.random.default_rng(7)
    scores = np.round(rng.random((300, 60)), 2)
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(0, 6, size=60)
    a = assign(scores, capacity)
    check_valid(scores, capacity, a)
    assert total(scores, a) == pytest.approx(exact_total(scores, capacity)[1], abs=1e-9)


def test_stored_zero_in_sparse_matrix_is_an_allowed_pair() -> None:
    s = sp.csr_matrix((np.array([0.0]), (np.array([0]), np.array([1]))), shape=(1, 2))
    assert assign(s, [1, 1], objective="coverage").tolist() == [1]
    assert assign(s, [1, 1]).tolist() == [1]


def test_pairs_scoring_zero_are_made_while_seats_are_free() -> None:
    # Mentees with empty profiles score exactly 0 everywhere; leaving them out
    # ties on total score but is not optimal for anyone.
    s = np.zeros((3, 2))
    a = assign(s, [1, 1])
    assert sorted(a.tolist()) == [-1, 0, 1]
    assert evaluate(s, a, [1, 1])["blocking_pairs"] == 0


def test_equity_gives_the_mentee_with_weak_options_a_turn() -> None:
    # Mentee 0 is strong everywhere, mentee 1 only has weak scores; one seat.
    s = np.array([[0.9], [0.3]])
    assert assign(s, [1]).tolist() == [0, -1]
    s2 = np.array([[0.9, 0.85], [0.3, -np.inf]])
    assert assign(s2, [1, 1]).tolist() == [1, 0]
    s3 = np.array([[0.9, 0.6], [0.3, -np.inf]])
    assert assign(s3, [1, 1]).tolist() == [0, -1] or assign(s3, [1, 1]).tolist() == [1, 0]
    assert assign(s3, [1, 1], equity=1.0).tolist() == [1, 0]


def test_numpy_scalars_are_accepted_for_min_score_and_equity() -> None:
    s = [[0.6, 0.4]]
    assert assign(s, [1, 1], min_score=np.float32(0.5)).tolist() == [0]
    assert assign(s, [1, 1], min_score=np.int64(1)).tolist() == [-1]
    assert assign(s, [1, 1], equity=np.float32(0.5)).tolist() == [0]


@pytest.mark.parametrize("capacity", [[1e300, 1.0], np.array([2**64 - 1, 1], dtype=np.uint64),
                                      np.array([100, 1], dtype=np.int8)])
def test_capacity_above_the_number_of_mentees_means_no_limit(capacity: object) -> None:
    s = np.array([[0.6, 0.5], [0.7, 0.1], [0.8, -np.inf]])
    assert assign(s, capacity).tolist() == assign(s, [3, 1]).tolist() == [0, 0, 0]


def test_tiny_scores_are_scaled_without_overflow() -> None:
    s = np.array([[0.9, 0.8], [0.85, -np.inf]])
    assert assign(s * 1e-300, [1, 1]).tolist() == assign(s, [1, 1]).tolist() == [1, 0]
    assert assign(s * 1e-320, [1, 1]).tolist() == [1, 0]  # subnormal


def test_no_mentees_or_no_edges() -> None:
    assert assign(np.empty((0, 3)), [1, 1, 1]).tolist() == []
    assert assign(np.full((2, 2), -np.inf), [1, 1]).tolist() == [-1, -1]


@pytest.mark.parametrize(("scores", "capacity", "kwargs", "message"), [
    (np.zeros(3), [1], {}, r"scores must be 2-D, got shape \(3,\)"),
    ([[np.nan]], [1], {}, "NaN"),
    ([[np.inf]], [1], {}, r"\+inf"),
    ([[0.5]], [1, 2], {}, r"capacity must have one entry per mentor \(1\), got shape \(2,\)"),
    ([[0.5]], [-1], {}, "non-negative integers"),
    ([[0.5]], [1.5], {}, "non-negative integers"),
    ([[0.5]], [1], {"objective": "fast"}, "objective must be one of"),
    ([[0.5]], [1], {"equity": 2}, r"equity must be a number in \[0, 1\]"),
    ([[0.5]], [1], {"min_score": float("nan")}, "min_score"),
    ([[0.5]], [1], {"min_score": True}, "min_score"),
    ([[0.5]], [1], {"min_score": 10**400}, "min_score"),
    ([[0.5]], [1], {"equity": np.bool_(True)}, "equity"),
    ([[0.5 + 1j]], [1], {}, "scores must be real, got dtype complex128"),
    (np.array([[0.5]], dtype=np.complex64), [1], {}, "scores must be real"),
    (sp.csr_matrix(np.array([[0.5 + 1j]])), [1], {}, "scores must be real, got a sparse matrix"),
    ([[10**400]], [1], {}, "scores must be a numeric 2-D array"),
])
def test_bad_input_raises_value_error(scores: object, capacity: object, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assign(scores, capacity, **kwargs)


def test_round_sized_instance_is_optimal() -> None:
    rng = np.random.default_rng(11)
    scores = rng.random((1000, 250))
    scores[rng.random(scores.shape) < 0.5] = -np.inf
    capacity = rng.integers(0, 4, size=250)
    a = assign(scores, capacity)
    check_valid(scores, capacity, a)
    assert total(scores, a) == pytest.approx(exact_total(scores, capacity)[1], abs=1e-7)
