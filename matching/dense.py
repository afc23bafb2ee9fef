"""Dense score matrices solved from their best entries, certified against all the others.

Handing every entry of a 10,000 x 2,000 matrix to the flow solver takes
seconds; nearly all of those pairs are never worth making. :func:`assign_dense`
keeps each row's best few entries and each column's best few per block of
rows, solves on them, and lets :func:`matching.certify.certified_solve` read
the rows whose other entries might improve the round. The result has the
optimal total of the whole matrix in the solver's integer weights, exactly
as if every entry had been solved on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from matching.certify import Model, Outcome, certified_solve
from matching.flow import row_divisor
from matching.topk import best_entries

__all__ = ["DENSE_CELLS", "PER_ROW", "assign_dense", "solve_dense"]

T = TypeVar("T")

#: Dense matrices with at least this many cells are solved from their best entries.
DENSE_CELLS = 1 << 18
#: Best entries of each row solved on first.
PER_ROW = 5
#: Cells read at once (about 16 MB of float64).
_BLOCK_CELLS = 1 << 21


def assign_dense(scores: np.ndarray, cap: np.ndarray, *, min_score: float | None = None,
                 objective: str = "score", equity: float = 0.0, per_row: int = PER_ROW) -> np.ndarray:
    """:func:`matching.assign` of a validated dense matrix, solved from its best entries.

    The assignment of :func:`solve_dense`.

    Examples
    --------
    >>> s = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.1], [0.3, 0.2, 0.1]])
    >>> assign_dense(s, np.array([1, 1, 1]), per_row=1).tolist()
    [1, 0, 2]
    """
    return solve_dense(scores, cap, min_score=min_score, objective=objective, equity=equity,
                       per_row=per_row).assignment


def solve_dense(scores: np.ndarray, cap: np.ndarray, *, min_score: float | None = None,
                objective: str = "score", equity: float = 0.0, per_row: int = PER_ROW) -> Outcome:
    """Solve a validated dense matrix from its best entries; the outcome says what certifying took.

    Parameters
    ----------
    scores : ndarray of float, shape (n_mentees, n_mentors)
        ``-inf`` = not allowed; NaN or +inf raise ValueError (checked here,
        in the pass that finds each row's best).
    cap : ndarray of int64, shape (n_mentors,)
        Validated capacities.
    min_score, objective, equity
        As for :func:`matching.assign` (validated).
    per_row : int
        Entries of each row solved on first; any value gives the same optimum.

    Returns
    -------
    Outcome
        The assignment (mentor column per mentee, -1 unmatched), the solves
        and pairs certifying it took.

    Examples
    --------
    >>> s = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.1], [0.3, 0.2, 0.1]])
    >>> out = solve_dense(s, np.array([1, 1, 1]), per_row=1)
    >>> out.assignment.tolist(), out.certified, out.passes
    ([1, 0, 2], True, 1)
    """
    n, m = scores.shape
    step = max(1, _BLOCK_CELLS // max(m, 1))
    closed_cols = (cap <= 0)[None, :]
    per_mentor = min(n, 64, max(5, 2 * int(cap.max(initial=0))))
    per_block = -(-per_mentor // max(1, -(-n // step)))
    best, lowest = np.full(n, -np.inf), np.full(n, np.inf)
    parts = []
    for start in range(0, n, step):
        block = scores[start : start + step]
        at = slice(start, start + len(block))
        top = block.max(axis=1, initial=-np.inf)
        if np.isnan(top).any() or np.isposinf(top).any():  # NaN and +inf reach the row maxima
            raise ValueError("scores must not contain NaN or +inf (use -inf for pairs not allowed)")
        usable = block
        if closed_cols.any() or min_score is not None:
            closed = closed_cols if min_score is None else closed_cols | (block < min_score)
            usable = np.where(closed, -np.inf, block)
            top = usable.max(axis=1, initial=-np.inf)
        best[at] = top
        # the most negative allowed score can set the scale; scores are rarely negative
        if np.count_nonzero(usable < 0) > np.count_nonzero(usable == -np.inf):
            lowest[at] = np.min(usable, axis=1, where=usable > -np.inf, initial=np.inf)
        rows, cols, values, by_row, _ = best_entries(usable, per_row, per_block)
        parts.append((rows + start, cols, values, by_row))
    rows, cols, values, by_row = (np.concatenate(p) for p in zip(*parts, strict=True)) if parts else (
        np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, bool))
    has = best > -np.inf
    divisor = row_divisor(np.flatnonzero(has), best[has], n, equity)
    # the scale of assign: the largest |score / divisor| of an allowed pair
    lowest = np.minimum(lowest, best)  # rows without negative scores: the best is the largest in size
    largest = float((np.maximum(np.abs(best[has]), np.abs(lowest[has])) / divisor[has]).max()) if has.any() else 0.0
    # A row keeping all its per_row best leaves out only entries at or below the least of them.
    kept = np.bincount(rows[by_row], minlength=n)
    bound = np.full(n, np.inf)
    np.minimum.at(bound, rows[by_row], values[by_row])
    bound[kept < per_row] = -np.inf

    def scan(rectangles: list[tuple[np.ndarray, np.ndarray | None]], look: Callable[..., T]) -> list[T]:
        found = []
        for wanted, cols in rectangles:
            for start in range(0, len(wanted), step):
                part = wanted[start : start + step]
                if cols is not None:
                    found.append(look(part, cols, scores[np.ix_(part, cols)]))
                    continue
                whole = part[-1] - part[0] == len(part) - 1  # a run of rows: a view, no copy
                found.append(look(part, None, scores[part[0] : part[-1] + 1] if whole else scores[part]))
        return found

    model = Model(cap, divisor, largest, min_score, objective)
    return certified_solve(model, rows, cols, values, np.ones(len(rows), bool), bound, scan)
