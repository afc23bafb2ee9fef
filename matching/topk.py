"""Top-k selection helpers for building sparse candidate graphs chunk by chunk."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["best_entries", "column_best", "kth_largest", "to_csr"]


def kth_largest(scores: np.ndarray, k: int, axis: int = 1) -> np.ndarray:
    """A cut along ``axis``: at least ``min(k, length)`` entries of each line are ``>=`` it.

    It is the ``k``-th largest value, or for a few columns (``axis=0``, small
    ``k``) the ``k``-th largest distinct value, which a few passes of ``max``
    find faster than a partition across rows.

    Examples
    --------
    >>> kth_largest(np.array([[0.1, 0.9, 0.5], [0.3, 0.2, -np.inf]]), 2).tolist()
    [0.5, 0.2]
    >>> kth_largest(np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.4]]), 2, axis=0).tolist()
    [0.3, 0.4]
    """
    length = scores.shape[axis]
    k = min(max(k, 1), length)
    if k == length:
        return scores.min(axis=axis)
    if axis == 0 and k <= 4:
        cut = scores.max(axis=0)
        for _ in range(k - 1):
            cut = np.where(scores < cut, scores, -np.inf).max(axis=0)
        return cut
    if axis == 0:
        return kth_largest(scores.T.copy(), k, axis=1)
    return np.partition(scores, length - k, axis=1)[:, length - k]


def best_entries(scores: np.ndarray, k: int, r: int) -> tuple[np.ndarray, ...]:
    """Finite entries among the ``k`` best of their row or the ``r`` best of their column.

    Ties with the ``k``-th (``r``-th) value are kept too, so the result does
    not depend on how a sort breaks them.

    Returns
    -------
    rows, cols, values : ndarrays, row-major order
    by_row, by_col : ndarrays of bool
        Whether each entry is among the best of its row, of its column.

    Examples
    --------
    >>> s = np.array([[0.1, 0.9, -np.inf], [0.5, 0.2, 0.3]])
    >>> rows, cols, values, by_row, by_col = best_entries(s, 1, 1)
    >>> rows.tolist(), cols.tolist(), by_row.tolist(), by_col.tolist()
    ([0, 1, 1], [1, 0, 2], [True, True, False], [True, True, True])
    """
    empty = np.empty(0, np.int64)
    if scores.size == 0:
        return empty, empty, np.empty(0, scores.dtype), np.empty(0, bool), np.empty(0, bool)
    row_cut = kth_largest(scores, k, axis=1)
    col_cut = kth_largest(scores, r, axis=0) if r > 0 else np.full(scores.shape[1], np.inf, scores.dtype)
    keep = scores >= row_cut[:, None]
    keep |= scores >= col_cut
    keep &= scores > -np.inf
    flat = np.flatnonzero(keep)
    rows, cols = np.divmod(flat, scores.shape[1])
    values = scores.reshape(-1)[flat]
    return rows, cols, values, values >= row_cut[rows], values >= col_cut[cols]


def column_best(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, r: int) -> np.ndarray:
    """Mask of the ``r`` best entries of every column (ties to the lower row).

    Examples
    --------
    >>> column_best(np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([0.2, 0.5, 0.1]), 1).tolist()
    [False, True, True]
    """
    order = np.lexsort((rows, -values, cols))
    sorted_cols = cols[order]
    start = np.searchsorted(sorted_cols, sorted_cols, side="left")
    keep = np.zeros(len(rows), bool)
    keep[order] = np.arange(len(order)) - start < r
    return keep


def to_csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR matrix keeping explicit zeros (an allowed pair may score 0); entries must be row-major.

    Examples
    --------
    >>> to_csr(np.array([0, 1]), np.array([1, 0]), np.array([0.5, 0.0]), (2, 2)).nnz
    2
    """
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((values.astype(float), cols, indptr), shape=shape)
