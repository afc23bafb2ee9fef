"""Top-k selection helpers for building sparse candidate graphs chunk by chunk.

A chunk's best entries (the ``k`` best of each row, the ``r`` best of each
column) are found without sorting or partitioning whole rows: a cheap floor
under each row's and column's cut (:func:`row_floor`, :func:`column_floor`)
keeps a few entries per line (:func:`floor_entries`), block by block while
the block is in the cache, and the exact cuts are taken among those
(:func:`best_of_floor_entries`). The result is exactly that of sorting
every line of the whole chunk, with ties spread as :func:`matching.ties.tie_starts` says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike

from matching.lines import kth_per_line
from matching.ties import best_per_line, first_ties, stable_order, tie_starts

__all__ = ["FloorEntries", "best_entries", "best_of_floor_entries", "column_floor",
           "floor_entries", "kth_largest", "row_floor", "to_csr"]


#: Groups per wanted entry: of columns in :func:`row_floor`, of rows in :func:`column_floor`.
_ROW_GROUPS_PER_K = 8
_COLUMN_GROUPS_PER_R = 4
#: Columns of a contiguous run in :func:`_group_maxima`'s first fold.
_MAX_RUN = 256


def kth_largest(scores: np.ndarray, k: int, axis: int = 1) -> np.ndarray:
    """The ``k``-th largest value of each line along ``axis`` (the smallest if a line is shorter).

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
    if axis == 0:  # a partition runs along contiguous rows
        return kth_largest(np.ascontiguousarray(scores.T), k, axis=1)
    return np.partition(scores, length - k, axis=1)[:, length - k]


def row_floor(scores: np.ndarray, k: int) -> np.ndarray:
    """A value at or below the ``k``-th largest of each row (``kth_largest(scores, k)``).

    The rows' columns are dealt into groups (column ``j`` to group ``j % g``,
    a few times ``k`` groups) and the floor is the ``k``-th largest of the
    group maxima: those are ``k`` different entries of the row, so at least
    ``k`` entries reach it. A pass of ``max`` and a partition of a few
    maxima per row cost a fraction of a partition of whole rows, and on
    scores few entries of a row lie between the floor and the exact cut.
    Too few columns to group: the exact cut.

    Examples
    --------
    >>> s = np.zeros((1, 32))
    >>> s[0, [0, 16, 1]] = [5.0, 4.0, 3.0]  # 16 groups: columns 0 and 16 are one
    >>> float(row_floor(s, 2)[0]), float(kth_largest(s, 2)[0])
    (3.0, 4.0)
    """
    groups = _ROW_GROUPS_PER_K * k
    if scores.shape[1] < 2 * groups:
        return kth_largest(scores, k)
    maxima = _group_maxima(scores, groups)
    return np.partition(maxima, groups - k, axis=1)[:, groups - k]


def _group_maxima(scores: np.ndarray, groups: int) -> np.ndarray:
    """Each row's maximum over the columns ``j`` with ``j % groups == g``, for ``g < groups``.

    ``max`` over an axis runs fastest along long contiguous runs, so it first
    folds the row in runs of a few hundred columns (``j % (inner * groups)``),
    then folds those runs down to ``groups``. The last ``len % groups``
    columns, or a few more, are left out: a maximum of fewer entries is
    still an entry.
    """
    n, length = scores.shape
    width = length // groups
    inner = min(width, -(-_MAX_RUN // groups))
    outer = width // inner
    folded = scores[:, : outer * inner * groups].reshape(n, outer, inner * groups).max(axis=1)
    return folded.reshape(n, inner, groups).max(axis=1)


def column_floor(scores: np.ndarray, r: int) -> np.ndarray:
    """A value at or below ``kth_largest(scores, r, axis=0)`` of each column, ``-inf`` if unknown.

    Same idea as :func:`row_floor` on groups of consecutive rows: the
    ``r``-th largest group maximum is reached by ``r`` different entries of
    the column. It also stays below the cut of any taller block these rows
    are part of, since more rows only raise a column's ``r``-th largest value.

    Examples
    --------
    >>> s = np.zeros((16, 1))
    >>> s[[0, 1, 2], 0] = [5.0, 4.0, 3.0]  # 8 groups: rows 0 and 1 are one
    >>> float(column_floor(s, 2)[0]), float(kth_largest(s, 2, axis=0)[0])
    (3.0, 4.0)
    """
    groups = min(len(scores), _COLUMN_GROUPS_PER_R * r)
    if groups <= r:
        return np.full(scores.shape[1], -np.inf, scores.dtype)
    height = len(scores) // groups
    maxima = scores[: height * groups].reshape(groups, height, scores.shape[1]).max(axis=1)
    return kth_largest(maxima, r, axis=0)


def best_entries(scores: np.ndarray, k: int, r: int) -> tuple[np.ndarray, ...]:
    """Finite entries among the ``k`` best of their row or the ``r`` best of their column.

    A line keeps exactly ``k`` (``r``) entries when it has that many: a row
    of equal scores (a mentee who wrote nothing) must not keep every mentor.
    Ties at a line's cut are spread: row ``i`` takes them from column
    ``i * k`` on, column ``j`` from row ``j * r`` on (see :func:`matching.ties.tie_starts`).
    Scores have no NaN.

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
    entries = floor_entries([scores], scores.shape[1], k, r, scores.dtype, chunk=(0, len(scores)))
    return best_of_floor_entries([entries], k, r)


@dataclass(frozen=True)
class FloorEntries:
    """The finite entries of some rows at or above their row's or their column's floor, row-major."""

    n_rows: int
    n_cols: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    over_row_floor: np.ndarray  # bool
    over_col_floor: np.ndarray  # bool


def floor_entries(blocks: Iterable[np.ndarray], n_cols: int, k: int, r: int,
                  dtype: DTypeLike = np.float32, *, first_row: int = 0,
                  chunk: tuple[int, int] | None = None) -> FloorEntries:
    """The entries of the rows of ``blocks`` (stacked) that may be among the best: see :func:`best_of_floor_entries`.

    Each block (scores without NaN) is read while it is fresh in the cache:
    one pass of ``max`` for each floor (:func:`row_floor`,
    :func:`column_floor`), one pass to keep the few entries at or above
    either. A column's floor rises from block to block.

    When many entries equal a floor (a mentee who gave only a language ties
    with hundreds of mentors), a block keeps only the ties a cut can take
    (:func:`matching.ties.first_ties`). That needs the tie order of
    :func:`best_of_floor_entries`: ``first_row`` is the round's index of
    the first row and ``chunk`` the (first row, row count) of the chunk the
    rows belong to; without ``chunk`` every tie is kept.

    Examples
    --------
    >>> s = np.array([[0.1, 0.9, -np.inf], [0.5, 0.2, 0.3]])
    >>> f = floor_entries([s], 3, 1, 1, s.dtype)  # lines this short get exact cuts as floors
    >>> f.rows.tolist(), f.cols.tolist()
    ([0, 1, 1], [1, 0, 2])
    >>> floor_entries([s[:1], s[1:]], 3, 1, 1, s.dtype).cols.tolist()  # one row: no column floor
    [0, 1, 0, 1, 2]
    """
    lowest = -np.finfo(dtype).max  # a floor raised to it keeps the finite entries only
    col_floor = np.full(n_cols, np.inf if r <= 0 else -np.inf, dtype)
    found, n_rows = [], 0
    for block in blocks:
        if r > 0:
            col_floor = np.maximum(col_floor, column_floor(block, r))
        row_floor_ = np.maximum(row_floor(block, k), lowest)
        col_floor_ = np.maximum(col_floor, lowest)
        keep = block >= row_floor_[:, None]
        keep |= block >= col_floor_
        flat = np.flatnonzero(keep)
        if chunk is not None and len(flat) > _TIES_PER_WANTED * (k * len(block) + r * n_cols):
            keep = _without_extra_ties(block, row_floor_, col_floor_, k, r, first_row + n_rows, chunk)
            flat = np.flatnonzero(keep)
        rows, cols = np.divmod(flat, n_cols)
        values = block.reshape(-1)[flat]
        found.append((rows + n_rows, cols, values, values >= row_floor_[rows], values >= col_floor[cols]))
        n_rows += len(block)
    if not found:
        found = [(np.empty(0, np.int64),) * 2 + (np.empty(0, dtype),) + (np.empty(0, bool),) * 2]
    return FloorEntries(n_rows, n_cols, *(np.concatenate(p) for p in zip(*found, strict=True)))


#: A block keeping more than this many entries per wanted one is thinned of ties.
_TIES_PER_WANTED = 8


def _without_extra_ties(block: np.ndarray, row_floor_: np.ndarray, col_floor: np.ndarray, k: int, r: int,
                        first_row: int, chunk: tuple[int, int]) -> np.ndarray:
    """The entries over a floor, and of those at a floor only the ones a cut may take.

    Rows are read from :func:`matching.ties.tie_starts` over the round's rows,
    columns over the chunk's rows, as :func:`best_of_floor_entries` reads them.
    """
    n_rows, n_cols = block.shape
    keep = block > row_floor_[:, None]
    keep |= block > col_floor
    row_start = tie_starts(n_rows, k, n_cols, first_row)
    keep |= first_ties(block == row_floor_[:, None], k, row_start, axis=1)
    if r > 0:
        chunk_start, chunk_rows = chunk
        col_start = tie_starts(n_cols, r, chunk_rows) - (first_row - chunk_start)
        keep |= first_ties(block == col_floor, r, col_start, axis=0)
    return keep


def best_of_floor_entries(parts: Sequence[FloorEntries], k: int, r: int, first_row: int = 0,
                          ranks: tuple[int, ...] = ()) -> tuple[np.ndarray, ...]:
    """:func:`best_entries` of the rows of ``parts`` stacked, from the entries over their floors.

    Every entry at or above its row's (column's) exact cut is at or above
    the floor, so the exact cuts are found among these few entries. The
    columns' cuts are those of all the rows: a floor of some of them is a
    floor of all. ``first_row`` is the round's index of the first row, so
    that ties are spread the same way however the round is cut in chunks.
    With ``ranks`` (each at most ``k``), a sixth array follows: each row's
    value at each rank, one row per rank (``-inf`` for a row with fewer
    finite entries), found by the same cut as the row's ``k``-th.

    Examples
    --------
    >>> s = np.array([[0.1, 0.9, -np.inf], [0.5, 0.2, 0.3]])
    >>> parts = [floor_entries([s[:1]], 3, 1, 1, s.dtype), floor_entries([s[1:]], 3, 1, 1, s.dtype)]
    >>> rows, cols, values, by_row, by_col = best_of_floor_entries(parts, 1, 1)
    >>> rows.tolist(), cols.tolist(), by_row.tolist(), by_col.tolist()
    ([0, 1, 1], [1, 0, 2], [True, True, False], [True, True, True])
    >>> two = [floor_entries([s[:1]], 3, 2, 1, s.dtype), floor_entries([s[1:]], 3, 2, 1, s.dtype)]
    >>> best_of_floor_entries(two, 2, 1, ranks=(1, 2))[5].tolist()  # each row's best and second best
    [[0.9, 0.5], [0.1, 0.3]]
    """
    offsets = np.cumsum([0] + [p.n_rows for p in parts])
    rows = np.concatenate([p.rows + at for p, at in zip(parts, offsets, strict=False)])
    cols, values, over_row_floor, over_col_floor = (
        np.concatenate([getattr(p, name) for p in parts])
        for name in ("cols", "values", "over_row_floor", "over_col_floor"))
    n_cols, n_rows = parts[0].n_cols, int(offsets[-1])
    cuts = _kth_of_lines(rows[over_row_floor], values[over_row_floor], n_rows, (k, *ranks))
    row_cut = cuts[0]
    # entries are row-major: grouped by row, columns increasing
    by_row = best_per_line(rows, cols, values, row_cut[rows], k, tie_starts(n_rows, k, n_cols, first_row))
    by_col = np.zeros(len(values), dtype=bool)
    if r > 0:
        col_cut = _kth_of_lines(cols[over_col_floor], values[over_col_floor], n_cols, r)
        over = np.flatnonzero(values >= col_cut[cols])
        over = over[stable_order(cols[over], n_cols)]  # grouped by column, rows increasing
        by_col[over] = best_per_line(cols[over], rows[over], values[over], col_cut[cols[over]], r,
                                     tie_starts(n_cols, r, n_rows))
    keep = by_row | by_col
    best = rows[keep], cols[keep], values[keep], by_row[keep], by_col[keep]
    return (*best, cuts[1:]) if ranks else best


def _kth_of_lines(lines: np.ndarray, values: np.ndarray, n_lines: int, k: int | tuple[int, ...]) -> np.ndarray:
    """The ``k``-th largest value listed for each line, ``-inf`` for a line with fewer (a row per ``k`` of a tuple).

    Lines list few values: grouped by line (entries listed by row already
    are), they are cut by :func:`matching.lines.kth_per_line`.
    """
    ks = (k,) if isinstance(k, int) else k
    if ks == (1,):  # each line's largest: no layout (a chunk offers one mentee per mentor)
        cut = np.full(n_lines, -np.inf, values.dtype)
        np.maximum.at(cut, lines, values)
        return cut if isinstance(k, int) else cut[None]
    if bool((lines[1:] < lines[:-1]).any()):
        order = stable_order(lines, n_lines)
        lines, values = lines[order], values[order]
    indptr = np.zeros(n_lines + 1, dtype=np.int64)
    np.cumsum(np.bincount(lines, minlength=n_lines), out=indptr[1:])
    return kth_per_line(indptr, values, k).astype(values.dtype)


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
