"""Optimality certificates for a round solved on some of its pairs.

A round solved on candidate pairs is optimal over *all* allowed pairs exactly
when a dual solution of the candidate problem also satisfies every pair left
out. With the solver's integer weights ``w`` (see
:func:`matching.assignment.integer_weights`), the dual of the transportation
problem gives each mentee a value ``u`` and each mentor a seat price ``v >= 0``
such that ``u[i] + v[j] >= w[i, j]`` for every allowed pair, with equality on
the pairs made, ``v[j] = 0`` for a mentor with a free seat and
``u[i] = -out`` for an unmatched mentee, where ``out`` is what leaving a mentee
out costs (one unit for ``"score"``; for ``"coverage"``, more than any change
of total weight, so that matching more always wins).

OR-Tools' min-cost-flow solver returns flows, not potentials. Given the
optimal assignment, the prices are the solution of a system of difference
constraints on the mentors (``v[a] - v[j] <= w[i, a] - w[i, j]`` for mentee
``i`` placed with ``a`` who may also have ``j``, and so on), which is a
shortest-path problem on a graph of ``n_mentors + 1`` nodes: solved here with
a vectorised Bellman-Ford in exact int64 arithmetic. A pair left out
*violates* the certificate when ``w[i, j] > u[i] + v[j]``; adding the violators
to the pairs and solving again converges to an assignment that is optimal over
every allowed pair, with the same integer weights :func:`assign` uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from matching.assignment import COST_BITS, integer_weights, scaled_values, solve_flow

__all__ = ["Blocks", "Model", "Outcome", "certified_solve", "coverage_out", "duals", "shortest_distances"]

#: Row blocks of raw scores for the given (sorted) rows: (rows, float array of shape (len(rows), n_mentors)).
Blocks = Callable[[np.ndarray], Iterable[tuple[np.ndarray, np.ndarray]]]

_FAR = np.iinfo(np.int64).max // 4


def coverage_out(n: int) -> int:
    """What an unmatched mentee costs under ``"coverage"``: more than any path of ``n`` pairs can gain.

    An augmenting path changes at most ``2 n + 1`` pairs, each worth at most
    ``2**COST_BITS`` units, so a larger price makes the optimum match the most
    mentees first, as the solver's maximum flow does.

    Examples
    --------
    >>> coverage_out(1) > 3 * 2**36
    True
    """
    return (2 * n + 2) * (2**COST_BITS + 1)


def shortest_distances(n_nodes: int, source: int, tails: np.ndarray, heads: np.ndarray,
                       weights: np.ndarray) -> np.ndarray:
    """Shortest distances from ``source`` (int64; unreachable nodes get a huge value).

    Bellman-Ford by frontiers: each round relaxes only the arcs leaving the
    nodes whose distance fell in the previous round, all at once with numpy.
    Weights may be negative; a negative cycle raises ``RuntimeError`` (it
    cannot happen on the graph of an optimal assignment).

    Examples
    --------
    >>> shortest_distances(3, 0, np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([4, 1, -5])).tolist()
    [0, 4, -1]
    """
    order = np.argsort(tails, kind="stable")
    tails, heads, weights = tails[order], heads[order], weights[order]
    indptr = np.searchsorted(tails, np.arange(n_nodes + 1))
    dist = np.full(n_nodes, _FAR, dtype=np.int64)
    dist[source] = 0
    frontier = np.array([source])
    for _ in range(n_nodes + 1):
        starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if total == 0:
            return dist
        arcs = _ranges(starts, counts)
        reach = dist[tails[arcs]] + weights[arcs]
        to = heads[arcs]
        better = reach < dist[to]
        if not better.any():
            return dist
        to, reach = to[better], reach[better]
        np.minimum.at(dist, to, reach)
        frontier = np.unique(to)
    raise RuntimeError("the assignment is not optimal on its pairs: the price graph has a negative cycle")


def duals(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, cap: np.ndarray,
          assignment: np.ndarray, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Dual values ``u`` (per mentee) and seat prices ``v`` (per mentor) proving ``assignment`` optimal.

    Parameters
    ----------
    rows, cols, weights : ndarrays
        The pairs the assignment was solved on and their integer weights.
    cap : ndarray of int, shape (n_mentors,)
    assignment : ndarray of int, shape (n_mentees,)
        An optimal assignment on those pairs (-1 = unmatched).
    out : int
        What leaving a mentee unmatched costs (1 for ``"score"``,
        :func:`coverage_out` for ``"coverage"``).

    Returns
    -------
    u, v : ndarrays of int64
        ``u[i] + v[j] >= w`` on every given pair, with equality on the pairs
        made; ``v >= 0``, and 0 for mentors with a free seat. The prices are
        the highest such (shortest distances from a ground node).

    Examples
    --------
    >>> u, v = duals(np.array([0, 1]), np.array([0, 0]), np.array([5, 3]), np.array([1]), np.array([0, -1]), 1)
    >>> u.tolist(), v.tolist()
    ([-1, -1], [6])
    """
    n, m = len(assignment), len(cap)
    ground = m
    matched = np.flatnonzero(assignment >= 0)
    at = np.full(n, -1, dtype=np.int64)
    at[matched] = assignment[matched]
    own = np.zeros(n, dtype=np.int64)
    placed = (rows >= 0) & (at[rows] == cols)
    own[rows[placed]] = weights[placed]
    load = np.bincount(assignment[matched], minlength=m)

    other = ~placed
    r, c, w = rows[other], cols[other], weights[other]
    inside = at[r] >= 0
    every = np.arange(m)
    free = every[load < cap]
    tails = np.concatenate([c[inside], c[~inside], np.full(len(matched), ground), np.full(len(free), ground), every])
    heads = np.concatenate([at[r[inside]], np.full(int((~inside).sum()), ground), at[matched], free,
                            np.full(m, ground)])
    lengths = np.concatenate([own[r[inside]] - w[inside], -(w[~inside] + out), own[matched] + out,
                              np.zeros(len(free), np.int64), np.zeros(m, np.int64)])
    v = shortest_distances(m + 1, ground, tails, heads, lengths)[:m]
    v = np.where(v >= _FAR, 0, v)  # a mentor nobody can be placed with
    u = np.full(n, -out, dtype=np.int64)
    u[matched] = own[matched] - v[at[matched]]
    return u, v


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


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
        """Integer weights of allowed pairs, exactly as :func:`matching.assignment.assign` computes them."""
        return integer_weights(values / self.divisor[rows], self.largest)

    def block_gains(self, rows: np.ndarray, block: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """``weight - price`` of every pair of a block of rows, within a few units; ``-inf`` for closed mentors.

        Floats, to pick the pairs worth an exact look (:meth:`weights`): one
        product and one difference per pair instead of the exact rounding.
        Pairs below ``min_score`` are not masked: an upper bound is all a gain is used for.
        """
        scale = scaled_values(1.0 / self.divisor[rows], self.largest)
        gains = block * scale[:, None]
        gains -= np.where(self.cap > 0, prices.astype(float), np.inf)
        return gains

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
    scanned_rows: int  # rows whose every pair was read to check them (counted once per pass)


#: Pairs this close to violating the certificate (in weight units) are solved on
#: too, so that the next solve's slightly different prices rarely need another pass.
NEAR = 2**COST_BITS // 64
#: Slack (weight units) for the float comparisons that only decide what to check exactly.
_SLACK = 4.0


def certified_solve(model: Model, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                    first: np.ndarray, bound: np.ndarray, blocks: Blocks, max_passes: int = 50) -> Outcome:
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
    blocks : callable
        Reads the raw scores of rows that must be checked (see :data:`Blocks`).
    max_passes : int
        Solves allowed; when they run out the last assignment (optimal on
        the pairs solved) is returned uncertified.

    Returns
    -------
    Outcome

    Examples
    --------
    >>> S = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> model = Model(np.array([1, 1]), np.ones(2), 0.9, None, "score")
    >>> out = certified_solve(model, np.array([0, 1]), np.array([0, 0]), np.array([0.9, 0.85]),
    ...                       np.array([True, True]), np.array([0.8, 0.1]), lambda r: [(r, S[r])])
    >>> out.assignment.tolist(), out.passes
    ([1, 0], 2)
    """
    n, m = len(model.divisor), len(model.cap)
    keep = model.allowed(cols, values)
    pool = _Pool(rows[keep], cols[keep], values[keep], model.weights(rows[keep], values[keep]), first[keep])
    first_pairs = int(pool.solved.sum())
    bound_w = model.bound_weights(bound)
    reduced = np.full(n, -np.inf)  # rows read so far: max of weight - price over the pairs left out
    read_at = np.full(n, -1)  # ... and the pass whose prices that was measured at
    history: list[np.ndarray] = []
    open_cols = model.cap > 0
    passes = scanned = 0
    while True:
        passes += 1
        at = np.flatnonzero(pool.solved)
        solved_on = len(at)
        r, c, w = pool.rows[at], pool.cols[at], pool.w[at]
        assignment = solve_flow(r, c, w, model.cap, n, m, model.objective)
        u, v = duals(r, c, w, model.cap, assignment, model.out)
        rest = np.flatnonzero(~pool.solved)
        gain = pool.w[rest] - v[pool.cols[rest]] - u[pool.rows[rest]]
        violated = bool((gain > 0).any())
        pool.solved[rest[gain > -NEAR]] = True

        uf = u.astype(float)
        cheapest = float(v[open_cols].min()) if open_cols.any() else 0.0
        check = bound_w > uf + cheapest - _SLACK
        if history:
            drops = np.array([float((old - v)[open_cols].max(initial=0)) for old in history])
            seen = read_at >= 0
            check[seen] |= reduced[seen] + drops[read_at[seen]] > uf[seen] - _SLACK
        to_read = np.flatnonzero(check)
        scanned += len(to_read)
        history.append(v)
        if len(to_read):
            found = _read(model, pool, blocks, to_read, u, v)
            violated |= found.violated
            reduced[found.rows] = found.reduced
            read_at[found.rows] = passes - 1
            bound_w[found.rows] = -np.inf
        if not violated or passes >= max_passes:
            return Outcome(assignment, not violated, passes, solved_on - first_pairs, scanned)


class _Pool:
    """The pairs whose scores are known, and which of them are solved on."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, w: np.ndarray,
                 solved: np.ndarray) -> None:
        self.rows, self.cols, self.values, self.w, self.solved = rows, cols, values, w, solved.copy()

    def add(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, w: np.ndarray) -> None:
        """Add pairs to solve on (they were not known)."""
        self.rows, self.cols = np.concatenate([self.rows, rows]), np.concatenate([self.cols, cols])
        self.values, self.w = np.concatenate([self.values, values]), np.concatenate([self.w, w])
        self.solved = np.concatenate([self.solved, np.ones(len(rows), bool)])

    def by_row(self) -> tuple[np.ndarray, np.ndarray]:
        """The known pairs' rows sorted, and the order that sorts them (for :meth:`of_rows`)."""
        order = np.argsort(self.rows, kind="stable")
        return self.rows[order], order

    def of_rows(self, index: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, column) of every known pair of ``rows``, given :meth:`by_row`."""
        sorted_rows, order = index
        starts = np.searchsorted(sorted_rows, rows, side="left")
        counts = np.searchsorted(sorted_rows, rows, side="right") - starts
        return np.repeat(np.arange(len(rows)), counts), self.cols[order[_ranges(starts, counts)]]


@dataclass(frozen=True)
class _Found:
    rows: np.ndarray
    reduced: np.ndarray
    violated: bool


def _read(model: Model, pool: _Pool, blocks: Blocks, to_read: np.ndarray, u: np.ndarray,
          v: np.ndarray) -> _Found:
    """Read the rows ``to_read`` in full: solve on their pairs near or over the certificate's limit."""
    index = pool.by_row()
    vf = v.astype(float)
    done_rows, done_reduced, violated = [], [], False
    for block_rows, block in blocks(to_read):
        gain = model.block_gains(block_rows, block, v)
        gain[pool.of_rows(index, block_rows)] = -np.inf  # known pairs are checked exactly
        # floats only pick what to look at; the decision is in exact integers
        near_r, near_c = np.nonzero(gain > (u[block_rows] - NEAR - _SLACK)[:, None])
        raw = block[near_r, near_c]
        ok = model.allowed(near_c, raw)
        gain[near_r[~ok], near_c[~ok]] = -np.inf
        near_r, near_c, raw = near_r[ok], near_c[ok], raw[ok]
        w = model.weights(block_rows[near_r], raw)
        exact = w - v[near_c] - u[block_rows[near_r]]
        near = exact > -NEAR
        violated |= bool((exact > 0).any())
        pool.add(block_rows[near_r[near]], near_c[near], raw[near], w[near])
        gain[near_r[near], near_c[near]] = -np.inf
        done_rows.append(block_rows)
        done_reduced.append(gain.max(axis=1, initial=-np.inf))
    return _Found(np.concatenate(done_rows), np.concatenate(done_reduced), violated)
