"""Selection of each row's and column's best entries of a score chunk."""

import numpy as np
import pytest

from matching.lines import column_best
from matching.topk import (
    FloorEntries,
    best_entries,
    best_of_floor_entries,
    column_floor,
    floor_entries,
    kth_largest,
    row_floor,
)


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


def _tied_scores(rng: np.random.Generator, shape: tuple[int, int], dtype: type) -> np.ndarray:
    s = (np.round(rng.random(shape) * 20) / 20).astype(dtype)  # many ties
    s[rng.random(shape) < 0.3] = -np.inf
    s[:, 3] = -np.inf  # a closed column
    s[5] = -np.inf  # a row with nothing allowed
    return s


def test_floors_stay_at_or_below_the_cuts() -> None:
    rng = np.random.default_rng(2)
    s = _tied_scores(rng, (90, 400), np.float32)
    for k in (1, 2, 5, 10):
        assert np.all(row_floor(s, k) <= kth_largest(s, k))
        assert np.all(column_floor(s, k) <= kth_largest(s, k, axis=0))
        assert np.all(column_floor(s[:30], k) <= kth_largest(s, k, axis=0))  # a floor of some rows is one of all


@pytest.mark.parametrize("thin", [False, True])  # True: every block drops the ties no cut can take
@pytest.mark.parametrize("first", [0, 1234])  # the round's index of the chunk's first row
def test_best_entries_do_not_depend_on_blocks_or_parts(monkeypatch: pytest.MonkeyPatch, thin: bool,
                                                       first: int) -> None:
    if thin:
        monkeypatch.setattr("matching.topk._TIES_PER_WANTED", 0)
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        s = _tied_scores(rng, (70, 300), dtype)
        s[60:] = np.where(np.isfinite(s[60:]), 0.5, s[60:])  # rows that tie everywhere
        s[:, 290:] = np.where(np.isfinite(s[:, 290:]), 0.25, s[:, 290:])  # columns that tie everywhere
        for k, r in [(1, 1), (3, 2), (10, 4), (5, 7), (50, 0), (400, 100)]:
            whole = best_of_floor_entries([_entries(s, [s], k, r, first)], k, r, first)
            blocks = _entries(s, [s[:8], s[8:9], s[9:40], s[40:]], k, r, first)
            parts = [_entries(s, [s[:33]], k, r, first), _entries(s, [s[33:50], s[50:]], k, r, first, at=33)]
            for split in (best_of_floor_entries([blocks], k, r, first), best_of_floor_entries(parts, k, r, first)):
                for a, b in zip(whole, split, strict=True):
                    np.testing.assert_array_equal(a, b)
            rows, cols, values, by_row, by_col = whole
            want_row, want_col = _best_by_sorting(s, k, r, first)
            np.testing.assert_array_equal(np.flatnonzero(want_row | want_col), rows * s.shape[1] + cols)
            np.testing.assert_array_equal(by_row, want_row[rows, cols])
            np.testing.assert_array_equal(by_col, want_col[rows, cols])
            ranks = tuple(x for x in (1, (k + 1) // 2, k) if x <= s.shape[1])
            cuts = best_of_floor_entries(parts, k, r, first, ranks)[5]
            by_value = -np.sort(-s, axis=1)  # each row's values, largest first (-inf last)
            np.testing.assert_array_equal(cuts, by_value[:, [x - 1 for x in ranks]].T)


def _entries(s: np.ndarray, blocks: list[np.ndarray], k: int, r: int, first: int, at: int = 0) -> FloorEntries:
    """Floor entries of ``blocks``, rows ``at`` on of the chunk ``s``, whose first row is the round's ``first``."""
    return floor_entries(blocks, s.shape[1], k, r, s.dtype, first_row=first + at, chunk=(first, len(s)))


def test_a_block_of_ties_keeps_a_few_per_line_not_all() -> None:
    s = np.full((300, 2000), 0.5, np.float32)  # mentees who gave only a language, say
    f = floor_entries([s[:150], s[150:]], 2000, 10, 2, first_row=0, chunk=(0, 300))
    # at most 2k per row and 2r per column and block, of 600,000 tied entries
    assert len(f.values) <= 2 * 10 * 300 + 2 * (2 * 2 * 2000)
    rows, cols, _values, by_row, by_col = best_of_floor_entries([f], 10, 2)
    assert np.bincount(rows[by_row]).tolist() == [10] * 300
    assert np.bincount(cols[by_col], minlength=2000).tolist() == [2] * 2000


def _best_by_sorting(s: np.ndarray, k: int, r: int, first: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Masks of each row's k best finite entries and each column's r best, by sorting every line;
    ties are read from row i's column (first + i) * k, column j's row j * r, round the line."""
    n_rows, n_cols = s.shape
    by_row, by_col = np.zeros(s.shape, bool), np.zeros(s.shape, bool)
    for i, line in enumerate(s):
        finite = np.flatnonzero(np.isfinite(line))
        by_row[i, finite[np.lexsort(((finite - (first + i) * k) % n_cols, -line[finite]))][:k]] = True
    for j, line in enumerate(s.T):
        finite = np.flatnonzero(np.isfinite(line))
        by_col[finite[np.lexsort(((finite - j * r) % n_rows, -line[finite]))][:r], j] = True
    return by_row, by_col


def test_a_row_of_equal_scores_keeps_exactly_k_the_first_mentors() -> None:
    s = np.zeros((3, 50), np.float32)  # mentees who wrote nothing score the same with everyone
    s[1, 7] = 0.5
    rows, cols, values, by_row, by_col = best_entries(s, 2, 1)
    assert np.bincount(rows[by_row]).tolist() == [2, 2, 2]
    # row i reads its ties from column 2i on, so the rows keep different mentors
    assert cols[by_row].tolist() == [0, 1, 2, 7, 4, 5]
    assert np.bincount(cols[by_col], minlength=50).tolist() == [1] * 50
    assert rows[by_col][cols[by_col] == 7].tolist() == [1]  # the one better score wins the column
    assert len(set(rows[by_col].tolist())) == 3  # column ties spread over the rows too
