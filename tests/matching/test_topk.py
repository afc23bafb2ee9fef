"""Selection of each row's and column's best entries of a score chunk."""

import numpy as np

from matching.topk import best_entries, column_best, kth_largest


def test_cuts_keep_at_least_k_per_line_and_every_tie() -> None:
    rng = np.random.default_rng(0)
    s = np.round(rng.random((40, 30)), 1).astype(np.float32)
    s[rng.random(s.shape) < 0.2] = -np.inf
    for axis in (0, 1):
        for k in (1, 2, 3, 5, 7, 100):
            cut = kth_largest(s, k, axis=axis)
            kept = (s >= np.expand_dims(cut, axis)).sum(axis=axis)
            assert np.all(kept >= min(k, s.shape[axis]))
            exact = -np.sort(-s, axis=axis).take(min(k, s.shape[axis]) - 1, axis=axis)
            assert np.all(cut <= exact)
            if axis == 1:  # rows use the exact k-th value
                np.testing.assert_array_equal(cut, exact)


def test_best_entries_hold_each_rows_best_and_only_finite_pairs() -> None:
    rng = np.random.default_rng(1)
    s = rng.random((25, 12)).astype(np.float32)
    s[rng.random(s.shape) < 0.5] = -np.inf
    rows, cols, values, by_row, by_col = best_entries(s, 3, 2)
    assert np.all(np.isfinite(values)) and np.all(by_row | by_col)
    np.testing.assert_array_equal(values, s[rows, cols])
    assert np.all(np.diff(rows * s.shape[1] + cols) > 0)  # row-major, no duplicates
    for i in range(len(s)):
        best = np.sort(s[i][np.isfinite(s[i])])[::-1][:3]
        np.testing.assert_array_equal(np.sort(values[(rows == i) & by_row])[::-1][: len(best)], best)


def test_column_best_keeps_r_per_column_ties_to_the_lower_row() -> None:
    rows, cols = np.array([0, 1, 2, 3, 4]), np.array([0, 0, 0, 1, 1])
    keep = column_best(rows, cols, np.array([0.5, 0.5, 0.9, 0.1, 0.2]), 2)
    assert keep.tolist() == [True, False, True, True, True]
