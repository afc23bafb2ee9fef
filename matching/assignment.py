"""Optimal capacitated assignment of mentees to mentors.

The round is a transportation problem: each mentee supplies one unit, each
mentor absorbs up to its capacity, and an edge exists for every allowed pair.
It is solved exactly as a min-cost flow with OR-Tools' ``SimpleMinCostFlow``
(cost-scaling push-relabel). We use it rather than
``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` because the scipy
solver needs every mentor copied once per seat: on 50,000 mentees x 10,000
mentors with 50 candidates each and 5 seats per mentor it took 44 s against
5.5 s for the flow solver, which handles capacities natively.

Scores are turned into integer costs with a resolution of
``max|score| / 2**COST_BITS``, far finer than any meaningful score difference
(:mod:`matching.flow`). A large dense matrix is not handed to the solver
whole: it is solved from each row's best entries and certified against every
other entry (:mod:`matching.dense`), with the same integer costs and optimum.
"""

from __future__ import annotations

import numbers
from typing import cast

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from matching.dense import DENSE_CELLS, PER_ROW, assign_dense
from matching.flow import COST_BITS, integer_weights, row_divisor, solve_flow

__all__ = ["COST_BITS", "as_capacity", "as_dense", "as_edges", "as_options", "assign"]

#: Capacities are clipped to this before the cast to int64: no round has that
#: many mentees, and 1e300 or the uint64 maximum must not overflow the cast.
MOST_SEATS = 2**40
_OBJECTIVES = ("score", "coverage")


def _real(value: object) -> float | None:
    """``value`` as a plain float when it is a real number (NumPy scalars too, not bool), else None."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an int beyond float range
            return None
    return None


def as_edges(scores: ArrayLike | sp.sparray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Validate a score matrix and return its allowed pairs as (rows, cols, values, shape), row-major."""
    if sp.issparse(scores):
        scores = cast(sp.sparray, scores)
        if scores.ndim != 2:
            raise ValueError(f"scores must be 2-D, got shape {scores.shape}")
        if scores.dtype.kind == "c":  # casting would silently drop the imaginary part
            raise ValueError(f"scores must be real, got a sparse matrix of dtype {scores.dtype}")
        csr = sp.csr_array(scores, dtype=float)
        if not csr.has_canonical_format:  # duplicates are summed, as scipy does
            csr = csr.copy()
            csr.sum_duplicates()
        rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
        cols, values = csr.indices.astype(np.int64), csr.data
        if np.isnan(values).any() or np.isposinf(values).any():
            raise ValueError("scores must not contain NaN or +inf, got some in the sparse matrix")
        keep = np.isfinite(values)
        if keep.all():
            return rows, cols, values, csr.shape
        return rows[keep], cols[keep], values[keep], csr.shape
    dense = as_dense(scores)
    rows, cols = np.nonzero(np.isfinite(dense))
    return rows.astype(np.int64), cols.astype(np.int64), dense[rows, cols], dense.shape


def as_dense(scores: ArrayLike, *, check_values: bool = True) -> np.ndarray:
    """Validate a dense score matrix: a real 2-D float array without NaN or +inf (``-inf`` = not allowed).

    ``check_values=False`` leaves the NaN and +inf check to the caller.
    """
    try:
        raw = np.asarray(scores)
        dense = raw.astype(float, copy=False) if raw.dtype.kind != "c" else None
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"scores must be a numeric 2-D array, got {type(scores).__name__}") from exc
    if dense is None:  # casting would silently drop the imaginary part
        raise ValueError(f"scores must be real, got dtype {raw.dtype}")
    if dense.ndim != 2:
        raise ValueError(f"scores must be 2-D, got shape {dense.shape}")
    if check_values and (np.isnan(dense).any() or np.isposinf(dense).any()):
        raise ValueError("scores must not contain NaN or +inf (use -inf for pairs not allowed)")
    return dense


def as_capacity(capacity: ArrayLike, n_mentors: int, most: int = MOST_SEATS) -> np.ndarray:
    """Validate a capacity vector: one non-negative integer per mentor column, clipped to ``most``.

    Clipping happens before the cast to int64, so huge capacities (1e300, the
    uint64 maximum) mean "no limit" instead of overflowing; a Python integer
    too large for any numpy type is refused with the rest of the bad input.
    """
    cap = np.asarray(capacity)
    if cap.ndim != 1 or len(cap) != n_mentors:
        raise ValueError(f"capacity must have one entry per mentor ({n_mentors}), got shape {cap.shape}")
    if cap.dtype.kind not in "iuf" or (cap.dtype.kind == "f" and not np.all(np.isfinite(cap))):
        raise ValueError(f"capacity must hold non-negative integers, got dtype {cap.dtype}")
    if np.any(cap < 0) or np.any(cap != np.round(cap)):
        raise ValueError(f"capacity must hold non-negative integers, got {cap[(cap < 0) | (cap != np.round(cap))][:5]}")
    return np.minimum(cap, np.int64(most)).astype(np.int64)  # np.int64: a Python int would overflow int8


def as_options(min_score: object, objective: object, equity: object) -> tuple[float | None, float]:
    """Validate the options of a round; returns ``min_score`` and ``equity`` as plain floats."""
    if objective not in _OBJECTIVES:
        raise ValueError(f"objective must be one of {_OBJECTIVES}, got {objective!r}")
    real_equity = _real(equity)
    if real_equity is None or not 0.0 <= real_equity <= 1.0:
        raise ValueError(f"equity must be a number in [0, 1], got {equity!r}")
    real_min = None if min_score is None else _real(min_score)
    if min_score is not None and (real_min is None or not np.isfinite(real_min)):
        raise ValueError(f"min_score must be a finite number or None, got {min_score!r}")
    return real_min, real_equity


def assign(scores: ArrayLike | sp.sparray, capacity: ArrayLike, *, min_score: float | None = None,
           objective: str = "score", equity: float = 0.0) -> np.ndarray:
    """Optimal assignment of mentees (rows) to mentors (columns) under capacities.

    Parameters
    ----------
    scores : array-like or scipy sparse matrix, shape (n_mentees, n_mentors)
        Dense: ``-inf`` marks a pair that is not allowed. Sparse: absent
        entries are not allowed; a stored zero is an allowed pair scoring 0.
    capacity : array-like of int, shape (n_mentors,)
        Most mentees each mentor may take; more than ``n_mentees`` counts as
        ``n_mentees``, so a huge value (up to the uint64 maximum) means "no limit".
    min_score : float, optional
        Pairs scoring below it are never made.
    objective : {"score", "coverage"}
        ``"score"`` maximises the total score of the pairs made (among equal
        totals, it makes the most pairs, so pairs scoring 0 are made while
        seats are free);
        ``"coverage"`` first maximises how many mentees are matched, then the
        total score.
    equity : float in [0, 1]
        Before solving, each mentee's scores are divided by their own best
        score raised to ``equity`` (1 = fully normalised), so mentees whose
        options are all weak are not always the ones left out.

    Returns
    -------
    ndarray of int, shape (n_mentees,)
        Mentor column of each mentee, or -1 when unmatched.

    Examples
    --------
    >>> assign([[0.9, 0.8], [0.85, -np.inf]], capacity=[1, 1]).tolist()
    [1, 0]
    >>> assign([[0.9, 0.8], [0.85, -np.inf]], capacity=[1, 0]).tolist()
    [0, -1]
    """
    if not sp.issparse(scores):
        dense = as_dense(scores, check_values=False)
        if dense.size >= DENSE_CELLS and dense.shape[1] > 4 * PER_ROW:
            cap = as_capacity(capacity, dense.shape[1], most=dense.shape[0])
            real_min, real_equity = as_options(min_score, objective, equity)
            return assign_dense(dense, cap, min_score=real_min, objective=objective, equity=real_equity)
        scores = as_dense(dense)
    rows, cols, values, (n, m) = as_edges(scores)
    cap = as_capacity(capacity, m, most=n)  # a mentor can never take more than every mentee
    real_min, real_equity = as_options(min_score, objective, equity)
    keep = cap[cols] > 0
    if real_min is not None:
        keep &= values >= real_min
    rows, cols, values = rows[keep], cols[keep], values[keep]
    if real_equity > 0 and len(values):
        values = values / row_divisor(rows, values, n, real_equity)[rows]
    largest = float(np.abs(values).max()) if len(values) else 0.0
    return solve_flow(rows, cols, integer_weights(values, largest), cap, n, m, objective)
