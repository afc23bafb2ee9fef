"""The obvious exact baseline for a capacitated matching round.

Build the dense mentee x mentor score matrix, repeat each mentor's column once
per free slot, and solve the rectangular assignment problem with
``scipy.optimize.linear_sum_assignment``. It is exact but needs a dense matrix
of ``n_mentees x total_capacity`` floats, which is why it stops fitting in
memory long before a company-wide program does. The engine is compared against
it both for speed and for the total score it reaches.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["baseline_assign", "baseline_bytes", "total_score"]


def baseline_assign(scores: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Maximum-total-score assignment; ``-1`` for a mentee left unmatched.

    Forbidden pairs (``-inf``) are given score 0 for the solver and dropped
    afterwards. Because allowed scores are non-negative, a full assignment
    with zero-score filler has the same optimum as the best partial matching,
    so this is exact for the "maximise total score" objective.

    >>> s = np.array([[0.9, 0.8], [0.7, -np.inf], [0.6, 0.1]])
    >>> baseline_assign(s, np.array([1, 1])).tolist()
    [1, 0, -1]
    """
    scores = np.asarray(scores, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.int64)
    n_mentees = scores.shape[0]
    slot_owner = np.repeat(np.arange(scores.shape[1]), np.maximum(capacity, 0))
    result = np.full(n_mentees, -1, dtype=np.int64)
    if n_mentees == 0 or slot_owner.size == 0:
        return result
    expanded = scores[:, slot_owner]  # fancy indexing copies: the dense cost matrix
    allowed = np.isfinite(expanded)
    expanded[~allowed] = 0.0
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    keep = allowed[rows, cols]
    result[rows[keep]] = slot_owner[cols[keep]]
    return result


def total_score(scores: np.ndarray, assignment: np.ndarray) -> float:
    """Sum of the scores of the matched pairs of a dense score matrix."""
    matched = np.flatnonzero(assignment >= 0)
    return float(np.asarray(scores)[matched, assignment[matched]].sum(dtype=np.float64))


def baseline_bytes(n_mentees: int, n_mentors: int, slots: int) -> int:
    """Estimated peak bytes: the score matrix, the expanded matrix and its mask.

    ``linear_sum_assignment`` works on its own float64 copy when the input is not
    already C-contiguous float64, so the estimate counts the expanded matrix once
    plus a boolean mask; it is a lower bound on the real peak.
    """
    return 8 * n_mentees * n_mentors + 9 * n_mentees * slots
