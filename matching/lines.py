"""The ``k``-th largest value of every line of a sparse layout, a few thousand lines at a time, and each column's best.

A certified round cuts each mentee's candidates (and each mentor's) at a
given rank (:mod:`matching.rounds`). Lines are laid out in a
``-inf``-padded matrix and cut together, no sort; the matrix is built for a
block of lines at a time, as wide as its longest line, so that it stays a
few megabytes: one matrix for a 50,000-mentee round's candidates would be
over a hundred megabytes of fresh memory, whose page faults cost more than
the cut itself.
"""

from __future__ import annotations

import numpy as np

from matching.duals import ranges
from matching.ties import stable_order

__all__ = ["column_best", "kth_of_rows", "kth_per_line"]

#: Cells of padded lines laid out at once (2 MB of float32).
_CELLS = 512 * 1024


def kth_per_line(indptr: np.ndarray, values: np.ndarray, k: int | tuple[int, ...]) -> np.ndarray:
    """The ``k``-th largest value of each line of a CSR (or CSC) layout, ``-inf`` for lines with fewer entries.

    When the entries hold each row's ``k`` best scores (as candidates do),
    it bounds every score of the row left out. Lines are laid out in order
    of length, a block of about the same length at a time, so that a
    popular mentor's long column pads no block of short ones. A tuple of
    ``k`` gives one row of cuts per ``k`` from one layout.

    Examples
    --------
    >>> kth_per_line(np.array([0, 3, 4]), np.array([0.2, 0.9, 0.5, 0.1]), 2).tolist()
    [0.5, -inf]
    >>> kth_per_line(np.array([0, 3, 4]), np.array([0.2, 0.9, 0.5, 0.1]), (1, 3)).tolist()
    [[0.9, 0.1], [0.2, -inf]]
    """
    ks = (k,) if isinstance(k, int | np.integer) else tuple(k)
    counts = np.diff(indptr)
    cut = np.full((len(ks), len(counts)), -np.inf)
    wanted = [i for i, kk in enumerate(ks) if 1 <= kk <= int(counts.max(initial=0))]
    if wanted:
        most = max(ks[i] for i in wanted)
        lines = np.flatnonzero(counts >= min(ks[i] for i in wanted))
        lines = lines[np.argsort(counts[lines], kind="stable")]
        start = 0
        while start < len(lines):
            stop = min(len(lines), start + max(1, _CELLS // max(int(counts[lines[start]]), most)))
            stop = min(stop, start + max(1, _CELLS // max(int(counts[lines[stop - 1]]), most)))
            block = lines[start:stop]
            _cut_block(indptr, values, block, counts[block], ks, wanted, cut)
            start = stop
    return cut[0] if isinstance(k, int | np.integer) else cut


def _cut_block(indptr: np.ndarray, values: np.ndarray, lines: np.ndarray, counts: np.ndarray,
               ks: tuple[int, ...], wanted: list[int], cut: np.ndarray) -> None:
    """Fill ``cut`` for a block of ``lines`` (each with at least the least wanted ``k`` entries)."""
    width = max(int(counts.max()), max(ks[i] for i in wanted))
    padded = np.full(len(lines) * width, -np.inf, dtype=values.dtype)
    firsts = indptr[lines]
    at = ranges(firsts, counts)
    padded[at + np.repeat(np.arange(len(lines)) * width - firsts, counts)] = values[at]
    found = kth_of_rows(padded.reshape(len(lines), width), tuple(ks[i] for i in wanted))
    for i, at_k in zip(wanted, found, strict=True):
        cut[i, lines] = np.where(counts >= ks[i], at_k, -np.inf)


def kth_of_rows(scores: np.ndarray, ks: tuple[int, ...]) -> np.ndarray:
    """The ``k``-th largest value of each row (at least ``k`` columns), a row of them per ``k`` of ``ks``.

    One partition per ``k``, each of the part the previous one left above
    its cut: a partition at several places at once is several times slower.

    Examples
    --------
    >>> kth_of_rows(np.array([[0.2, 0.9, 0.5], [3.0, 1.0, 2.0]]), (1, 3)).tolist()
    [[0.9, 3.0], [0.2, 1.0]]
    """
    width, out = scores.shape[1], np.empty((len(ks), len(scores)), scores.dtype)
    part, offset = scores, 0
    for k in sorted(set(ks), reverse=True):
        at = width - k - offset
        part = np.partition(part, at, axis=1)
        out[[i for i, kk in enumerate(ks) if kk == k]] = part[:, at]
        part, offset = part[:, at + 1 :], width - k + 1
    return out


def column_best(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, r: int) -> np.ndarray:
    """Mask of the ``r`` best entries of every column (ties to the lower row).

    Entries are grouped by column (a radix sort when they come by row, as
    candidates do), each column cut at its ``r``-th value
    (:func:`matching.lines.kth_per_line`), and the ties at a cut taken by row.

    Examples
    --------
    >>> column_best(np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([0.2, 0.5, 0.1]), 1).tolist()
    [False, True, True]
    """
    keep = np.zeros(len(rows), bool)
    if len(rows) == 0:
        return keep
    n_cols = int(cols.max()) + 1
    by_row = np.argsort(rows, kind="stable") if bool((rows[1:] < rows[:-1]).any()) else None
    order = stable_order(cols if by_row is None else cols[by_row], n_cols)
    if by_row is not None:
        order = by_row[order]
    line, value = cols[order], values[order]  # grouped by column, rows increasing
    indptr = np.zeros(n_cols + 1, dtype=np.int64)
    np.cumsum(np.bincount(line, minlength=n_cols), out=indptr[1:])
    cut = kth_per_line(indptr, value, r)[line]
    best = value > cut
    room = r - np.bincount(line[best], minlength=n_cols)
    tied = np.flatnonzero(value == cut)
    rank = np.arange(len(tied)) - np.searchsorted(line[tied], line[tied])  # ties so far in the column
    best[tied[rank < room[line[tied]]]] = True
    keep[order[best]] = True
    return keep
