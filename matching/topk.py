"""Top-k selection helpers for building sparse candidate graphs chunk by chunk."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["ColumnTop", "column_top", "row_top_k", "to_csr"]


def row_top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the ``k`` best finite entries of each row.

    Examples
    --------
    >>> r, c = row_top_k(np.array([[0.1, 0.9, -np.inf], [0.5, 0.2, 0.3]]), 2)
    >>> sorted(zip(r.tolist(), c.tolist()))
    [(0, 0), (0, 1), (1, 0), (1, 2)]
    """
    k = min(k, scores.shape[1])
    if k <= 0 or scores.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < scores.shape[1] else \
        np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    rows = np.broadcast_to(np.arange(scores.shape[0])[:, None], part.shape)
    keep = np.isfinite(scores[rows, part])
    return rows[keep].astype(np.int64), part[keep].astype(np.int64)


class ColumnTop:
    """Running ``r`` best rows of every column over row chunks seen so far."""

    def __init__(self, r: int, n_cols: int) -> None:
        self.r = r
        self.values = np.full((0, n_cols), -np.inf)
        self.rows = np.full((0, n_cols), -1, dtype=np.int64)

    def merge(self, values: np.ndarray, rows: np.ndarray) -> None:
        """Merge candidate (values, global rows) of shape (any, n_cols), e.g. from :func:`column_top`."""
        if self.r <= 0:
            return
        values = np.vstack([self.values, values])
        rows = np.vstack([self.rows, rows])
        if len(values) > self.r:
            part = np.argpartition(-values, self.r - 1, axis=0)[: self.r]
            values = np.take_along_axis(values, part, axis=0)
            rows = np.take_along_axis(rows, part, axis=0)
        self.values, self.rows = values, rows

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and values of the kept finite entries."""
        keep = np.isfinite(self.values)
        cols = np.broadcast_to(np.arange(self.values.shape[1]), self.values.shape)
        return self.rows[keep], cols[keep].astype(np.int64), self.values[keep]


def column_top(scores: np.ndarray, r: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``r`` best values of every column of a chunk and their global row indices.

    Examples
    --------
    >>> v, rows = column_top(np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.4]]), 1, offset=10)
    >>> v.tolist(), rows.tolist()
    ([[0.5, 0.9]], [[11, 10]])
    """
    if r <= 0:
        return np.empty((0, scores.shape[1])), np.empty((0, scores.shape[1]), dtype=np.int64)
    if len(scores) <= r:
        rows = np.broadcast_to(np.arange(offset, offset + len(scores))[:, None], scores.shape)
        return scores, rows.astype(np.int64)
    if r == 1:  # one pass, no transposed copy
        best = np.argmax(scores, axis=0)[None, :]
        return np.take_along_axis(scores, best, axis=0), best.astype(np.int64) + offset
    part = np.argpartition(-scores.T, r - 1, axis=1)[:, :r].T
    return np.take_along_axis(scores, part, axis=0), (part + offset).astype(np.int64)


def to_csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR matrix keeping explicit zeros (an allowed pair may score 0).

    Examples
    --------
    >>> to_csr(np.array([1, 0]), np.array([0, 1]), np.array([0.0, 0.5]), (2, 2)).nnz
    2
    """
    order = np.lexsort((cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((values.astype(float), cols, indptr), shape=shape)
