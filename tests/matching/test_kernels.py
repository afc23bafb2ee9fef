"""The round's array kernels give exactly what their plain definitions give.

Each kernel replaces a simpler computation (a stack, a sort, a padded layout
of every line, a fresh product) by one that touches less memory; these
compare them entry for entry on random inputs full of ties.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from matching.lines import column_best, kth_per_line
from matching.pool import Pool
from matching.scratch import Workspace, add_product, add_sparse
from matching.stacking import stack_weighted
from matching.taxonomy import _largest


def _csr(rng: np.random.Generator, n: int, m: int, density: float, levels: int = 4) -> sp.csr_matrix:
    """A random float32 CSR matrix with few distinct values (ties), its rows in a shuffled order."""
    mask = rng.random((n, m)) < density
    values = (rng.integers(1, levels + 1, size=(n, m)) / levels).astype(np.float32)
    out = sp.csr_matrix(np.where(mask, values, 0).astype(np.float32))
    for i in range(n):  # a product's rows come in no particular column order
        part = slice(out.indptr[i], out.indptr[i + 1])
        order = rng.permutation(out.indptr[i + 1] - out.indptr[i])
        out.indices[part], out.data[part] = out.indices[part][order], out.data[part][order]
    out.has_sorted_indices = False
    return out


@pytest.mark.parametrize("seed", range(5))
def test_stacking_is_scipys_hstack(seed: int) -> None:
    rng = np.random.default_rng(seed)
    blocks = [(np.sqrt(rng.random()), _csr(rng, 30, int(rng.integers(1, 20)), 0.3).astype(dtype))
              for dtype in (np.float64, np.float64, np.float32)]
    got = stack_weighted(blocks)
    want = sp.hstack([w * b for w, b in blocks], format="csr", dtype=np.float32)
    want.sort_indices()
    for a, b in [(got.indptr, want.indptr), (got.indices, want.indices), (got.data, want.data)]:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(5))
def test_kth_per_line_in_blocks_is_each_lines_sorted_kth(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    monkeypatch.setattr("matching.lines._CELLS", int(rng.integers(1, 100)))
    counts = rng.integers(0, 12, size=40)
    counts[3] = 90  # a line much longer than the others is cut on its own
    indptr = np.concatenate([[0], np.cumsum(counts)])
    values = rng.integers(0, 5, size=int(indptr[-1])).astype(np.float32)
    for k in (1, 3, 8):
        want = [np.sort(values[indptr[i]:indptr[i + 1]])[::-1][k - 1] if counts[i] >= k else -np.inf
                for i in range(len(counts))]
        np.testing.assert_array_equal(kth_per_line(indptr, values, k), want)


@pytest.mark.parametrize("seed", range(5))
def test_taxonomy_keeps_each_rows_k_largest_ties_to_its_first_entries(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cosines = _csr(rng, 60, 200, rng.uniform(0.02, 0.8), levels=6)
    k = int(rng.integers(1, 30))
    rows, cols, values = _largest(cosines, k, first_row=100)
    # any floor at or below each row's cut (the index gives one from its postings) keeps the same
    cut = np.array([np.sort(cosines.data[cosines.indptr[i]:cosines.indptr[i + 1]])[::-1][k - 1]
                    if cosines.indptr[i + 1] - cosines.indptr[i] >= k else 0.0 for i in range(cosines.shape[0])])
    floors = (cut * rng.uniform(0, 1, len(cut)) * rng.integers(0, 2, len(cut))).astype(np.float32)
    for a, b in zip(_largest(cosines, k, 100, floors), (rows, cols, values), strict=True):
        np.testing.assert_array_equal(a, b)
    for i in range(cosines.shape[0]):
        part = slice(cosines.indptr[i], cosines.indptr[i + 1])
        order = np.argsort(-cosines.data[part], kind="stable")[:k]  # ties: the row's first entries
        kept = cosines.indices[part][order]
        weights = cosines.data[part][order].astype(np.float64)
        mine = rows == 100 + i
        assert sorted(cols[mine].tolist()) == sorted(kept.tolist())
        if len(kept):
            np.testing.assert_allclose(np.sort(values[mine]), np.sort(weights / np.linalg.norm(weights)), rtol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_column_best_is_a_sort_by_column_score_and_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    rows = np.sort(rng.integers(0, 80, n)) if seed % 2 else rng.integers(0, 80, n)
    cols = rng.integers(0, 9, n)
    values = rng.integers(0, 4, n) / 4
    r = int(rng.integers(1, 6))
    order = np.lexsort((rows, -values, cols))
    rank = np.arange(n) - np.searchsorted(cols[order], cols[order])
    want = np.zeros(n, bool)
    want[order[rank < r]] = True
    np.testing.assert_array_equal(column_best(rows, cols, values, r), want)


def test_products_added_in_place_are_scipys_products() -> None:
    rng = np.random.default_rng(0)
    a, b = _csr(rng, 20, 30, 0.3), _csr(rng, 30, 40, 0.2)
    a.sort_indices()
    dense = rng.random((30, 40)).astype(np.float32)
    out = np.zeros((20, 40), np.float32)
    add_product(a, dense, out)
    np.testing.assert_array_equal(out, a @ dense)
    add_sparse(a @ b, out)
    np.testing.assert_array_equal(out, (a @ dense) + (a @ b).toarray())


def test_working_arrays_are_reused() -> None:
    space = Workspace(cells=1 << 20, kept=2)
    first = space.take((512, 512), np.float32)
    first += 5
    space.give(first)
    again = space.take((1024, 1024), np.float32)  # any shape of up to ``cells`` cells
    assert np.shares_memory(again, first) and not again.any() and again.flags.c_contiguous
    other = space.take((512, 512), np.float32)  # the kept one is lent: a second one
    assert not np.shares_memory(other, again)
    third = space.take((512, 512), np.float32)  # beyond what is kept: a plain array
    space.give(third)
    space.give(other)
    space.give(other)  # handed back twice, kept once
    assert np.shares_memory(space.take((512, 512), np.float32), other)
    assert not np.shares_memory(space.take((512, 512), np.float32), third)
    small, large = space.take((2, 2), np.float32), space.take((2048, 1024), np.float32)
    assert small.shape == (2, 2) and large.shape == (2048, 1024) and small.base is None is large.base
    space.give(again)
    assert space.take((512, 512), np.float64, zeroed=False).dtype == np.float64


def test_pool_promotes_in_slices_what_it_would_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("matching.pool.SLICE", 7)
    rng = np.random.default_rng(3)
    rows = np.sort(rng.integers(0, 20, 100))
    cols = rng.integers(0, 10, 100)
    w = rng.integers(0, 50, 100)
    solved = rng.random(100) < 0.3
    u, v = rng.integers(0, 30, 20), rng.integers(0, 30, 10)
    pool = Pool(rows, cols, w, solved)
    violated = pool.promote(u, v, near=4)
    gain = w - v[cols] - u[rows]
    assert violated == bool((~solved & (gain > 0)).any())
    np.testing.assert_array_equal(pool.solved, solved | (gain > -4))
