"""Optimality certificates for a round solved on some of its pairs.

A round solved on some pairs (a mentee's best candidates) is optimal over
*all* allowed pairs exactly when a dual solution of that problem also
satisfies every pair left out (:mod:`matching.duals`): no pair's integer
weight ``w[i, j]`` exceeds ``u[i] + v[j]``. :func:`certified_solve` solves,
prices, reads the rows whose pairs left out might beat the prices, adds the
pairs that do (and those within a whisker of it) and solves again until none
does. The result is optimal over every allowed pair in the same integer
weights :func:`matching.assign` uses, so its total equals that of ``assign``
on the full matrix.

Reading a row costs a pass over its scores, so rows are skipped when a bound
proves them safe: a row whose best score left out, minus the cheapest seat
price, cannot reach the mentee's value, or (once read) whose largest
``weight - price`` left out cannot reach it after the prices moved. A row
that is read is read only at the seats cheap enough to matter
(:mod:`matching.reading`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.duals import coverage_out, duals
from matching.flow import integer_weights, scaled_values, solve_flow
from matching.pool import SLICE, Pool
from matching.reading import NEAR, SLACK, Scan, read_rows

__all__ = ["Model", "Outcome", "Scan", "certified_solve"]

@dataclass(frozen=True)
class Model:
    """How a round's scores become the solver's integer weights, fixed for the whole round.

    ``divisor`` (equity) and ``largest`` must be those of *all* allowed pairs,
    so that a pair weighs the same whichever pairs it is solved with.
    """

    cap: np.ndarray  # int64 (n_mentors,)
    divisor: np.ndarray  # float (n_mentees,): each mentee's equity divisor, 1 without equity
    largest: float  # largest |score / divisor| over all allowed pairs
    min_score: float | None
    objective: str

    @property
    def out(self) -> int:
        """What leaving a mentee unmatched costs, in weight units."""
        return 1 if self.objective == "score" else coverage_out(len(self.divisor))

    def allowed(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Which pairs (raw scores, their mentor columns) may be made."""
        ok = np.isfinite(values) & (self.cap[cols] > 0)
        if self.min_score is not None:
            ok &= values >= self.min_score
        return ok

    def weights(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Integer weights of allowed pairs, exactly as :func:`matching.assignment.assign` computes them.

        A slice at a time: a round's pool holds millions of pairs.
        """
        out = np.empty(len(values), dtype=np.int64)
        for start in range(0, len(values), SLICE):
            part = slice(start, start + SLICE)
            out[part] = integer_weights(values[part] / self.divisor[rows[part]], self.largest)
        return out

    def block_gains(self, rows: np.ndarray, block: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """``weight - price`` of every pair of a block of rows, within a few units.

        ``prices`` are floats, ``inf`` for closed mentors (see :meth:`open_prices`).

        Floats, to pick the pairs worth an exact look (:meth:`weights`): one
        product and one difference per pair instead of the exact rounding.
        Pairs below ``min_score`` are not masked: an upper bound is all a gain is used for.
        """
        scale = scaled_values(1.0 / self.divisor[rows], self.largest)
        gains = block * scale[:, None]
        gains -= prices
        return gains

    def open_prices(self, v: np.ndarray) -> np.ndarray:
        """Seat prices as floats for :meth:`block_gains`: ``inf`` for mentors without seats."""
        return np.where(self.cap > 0, v.astype(float), np.inf)

    def bound_weights(self, bound: np.ndarray) -> np.ndarray:
        """Upper bounds on the weights of each row's pairs from bounds on their scores (``-inf``: none)."""
        out = np.rint(scaled_values(bound / self.divisor, self.largest))
        if self.min_score is not None:
            out[bound < self.min_score] = -np.inf
        return out


@dataclass(frozen=True)
class Outcome:
    """An assignment proven optimal over every allowed pair, and what proving it took."""

    assignment: np.ndarray
    certified: bool  # False only when ``max_passes`` ran out first
    passes: int  # solves
    extra_pairs: int  # pairs solved on beyond the first solve's
    scanned_rows: int  # rows read to check them, at the seats that matter (counted once per pass)


#: Rows worth reading rather than grouping every row by what it can reach.
_FEW_ROWS = 64


def certified_solve(model: Model, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                    first: np.ndarray, bound: np.ndarray, scan: Scan, max_passes: int = 50,
                    reach: Callable[[], tuple[np.ndarray, np.ndarray] | None] | None = None) -> Outcome:
    """Solve on some known pairs, then add the pairs the certificate rejects until it accepts.

    Parameters
    ----------
    model : Model
    rows, cols, values : ndarrays
        Pairs whose scores are known (a pool, grouped by row); pairs not
        allowed by the model are dropped.
    first : ndarray of bool
        The pool's pairs to solve on first; the rest are checked exactly each pass.
    bound : ndarray of float, shape (n_mentees,)
        An upper bound on the score of every pair of the row *not* in the
        pool (``-inf`` when the pool holds every allowed pair of the row).
    scan : callable
        Reads the raw scores of rows that must be checked (see :data:`Scan`).
    max_passes : int
        Solves allowed; when they run out the last assignment (optimal on
        the pairs solved) is returned uncertified.
    reach : callable, optional
        Returns each row's group and, per group, the mentors its rows may
        possibly be paired with (a superset of the allowed ones, e.g. from
        the hard constraints), or None. Rows are then compared with the
        cheapest seat they can reach rather than the cheapest of all:
        mentors few can reach (a minority language) are cheap, and would
        send every row to be read. Called once, and only when more than a
        few rows would be read without it.

    Returns
    -------
    Outcome

    Examples
    --------
    >>> S = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> model = Model(np.array([1, 1]), np.ones(2), 0.9, None, "score")
    >>> def scan(rectangles, look):
    ...     return [look(r, c, S[r] if c is None else S[np.ix_(r, c)]) for r, c in rectangles]
    >>> out = certified_solve(model, np.array([0, 1]), np.array([0, 0]), np.array([0.9, 0.85]),
    ...                       np.array([True, True]), np.array([0.8, 0.1]), scan)
    >>> out.assignment.tolist(), out.passes
    ([1, 0], 2)
    """
    n, m = len(model.divisor), len(model.cap)
    keep = model.allowed(cols, values)
    if not keep.all():
        rows, cols, values, first = rows[keep], cols[keep], values[keep], first[keep]
    pool = Pool(rows, cols, model.weights(rows, values), first)
    first_pairs = int(pool.solved.sum())
    top = model.bound_weights(bound)  # in weights: no pair of the row left out weighs more
    bound_w = top.copy()  # ... for the rows not read yet
    reduced = np.full(n, -np.inf)  # rows read so far: max of weight - price over the pairs left out
    read_at = np.full(n, -1)  # ... and the pass whose prices that was measured at
    history: list[np.ndarray] = []
    open_cols = model.cap > 0
    passes = scanned = 0
    groups = None
    while True:
        passes += 1
        r, c, w = pool.solved_pairs()
        solved_on = len(r)
        assignment = solve_flow(r, c, w, model.cap, n, m, model.objective)
        u, v = duals(r, c, w, model.cap, assignment, model.out)
        violated = pool.promote(u, v, NEAR)

        uf = u.astype(float)
        check = bound_w > uf + _cheapest(v, open_cols, None, n) - SLACK
        if reach is not None and np.count_nonzero(check) > max(_FEW_ROWS, n // 100):
            groups, reach = reach(), None
        if groups is not None:
            check = bound_w > uf + _cheapest(v, open_cols, groups, n) - SLACK
        if history:
            drops = np.array([float((old - v)[open_cols].max(initial=0)) for old in history])
            seen = read_at >= 0
            check[seen] |= reduced[seen] + drops[read_at[seen]] > uf[seen] - SLACK
        to_read = np.flatnonzero(check)
        scanned += len(to_read)
        history.append(v)
        if len(to_read):
            found = read_rows(model, pool.of_rows, scan, to_read, top[to_read], u, v)
            pool.add([found.found])  # once: the pool may hold millions of pairs
            violated |= found.violated
            reduced[found.rows] = found.reduced
            read_at[found.rows] = passes - 1
            bound_w[found.rows] = -np.inf
        if not violated or passes >= max_passes:
            return Outcome(assignment, not violated, passes, solved_on - first_pairs, scanned)


def _cheapest(v: np.ndarray, open_cols: np.ndarray, reach: tuple[np.ndarray, np.ndarray] | None,
              n: int) -> np.ndarray:
    """Each row's cheapest seat price among the mentors it can reach (inf when none).

    Per group, the first mentor it can reach in order of price: a pass over
    a block of its reach (booleans) at a time, not a matrix of prices.
    """
    prices = v.astype(float)
    if reach is None or not open_cols.any():
        return np.full(n, float(prices[open_cols].min()) if open_cols.any() else np.inf)
    group, reachable = reach
    order = np.flatnonzero(open_cols)
    order = order[np.argsort(prices[order], kind="stable")]
    by_price = np.append(prices[order], np.inf)
    cheapest = np.full(len(reachable), np.inf)
    step = max(1, _REACH_CELLS // max(len(order), 1))
    for start in range(0, len(reachable), step):
        block = reachable[start : start + step][:, order]
        first = block.argmax(axis=1)  # the first True, or 0 when none
        first[~block[np.arange(len(block)), first]] = len(order)
        cheapest[start : start + step] = by_price[first]
    return cheapest[group]


#: Cells of a group-by-mentor reach matrix read at once by :func:`_cheapest`.
_REACH_CELLS = 1 << 20
