"""The exact baseline is really exact: checked against brute force on tiny cases."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest

from benchmarks import baseline, evalset
from benchmarks.baseline import baseline_assign, baseline_bytes, total_score


def brute_force(scores: np.ndarray, capacity: np.ndarray) -> float:
    n_mentees, n_mentors = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, n_mentors), repeat=n_mentees):
        load = np.bincount([c for c in choice if c >= 0], minlength=n_mentors)
        if (load > capacity).any():
            continue
        pairs = [(i, c) for i, c in enumerate(choice) if c >= 0]
        if any(not np.isfinite(scores[i, c]) for i, c in pairs):
            continue
        best = max(best, sum(scores[i, c] for i, c in pairs))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_baseline_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random((5, 3))
    scores[rng.random((5, 3)) < 0.3] = -np.inf
    capacity = rng.integers(0, 3, size=3)
    result = baseline_assign(scores, capacity)
    load = np.bincount(result[result >= 0], minlength=3)
    assert (load <= capacity).all()
    assert all(np.isfinite(scores[i, j]) for i, j in enumerate(result) if j >= 0)
    assert total_score(scores, result) == pytest.approx(brute_force(scores, capacity))


def test_empty_inputs() -> None:
    assert baseline_assign(np.zeros((0, 2)), np.array([1, 1])).shape == (0,)
    assert baseline_assign(np.zeros((2, 2)), np.array([0, 0])).tolist() == [-1, -1]


def test_memory_estimate_grows_with_slots() -> None:
    assert baseline_bytes(10_000, 2_000, 5_000) < 2 * 1024**3
    assert baseline_bytes(50_000, 10_000, 25_000) > 10 * 1024**3


@pytest.mark.parametrize("module", [baseline, evalset])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0
