"""Dual values of an optimal round: what each mentee gets and what each mentor's seat is worth.

With the solver's integer weights ``w`` (:func:`matching.flow.integer_weights`),
the dual of the transportation problem gives each mentee a value ``u`` and
each mentor a seat price ``v >= 0`` such that ``u[i] + v[j] >= w[i, j]`` for
every allowed pair, with equality on the pairs made, ``v[j] = 0`` for a
mentor with a free seat and ``u[i] = -out`` for an unmatched mentee, where
``out`` is what leaving a mentee out costs (one unit for ``"score"``; for
``"coverage"``, more than any change of total weight, so that matching more
always wins).

OR-Tools' min-cost-flow solver returns flows, not potentials. Given the
optimal assignment, the prices solve a system of difference constraints on
the mentors (``v[a] - v[j] <= w[i, a] - w[i, j]`` for mentee ``i`` placed
with ``a`` who may also have ``j``, and so on): a shortest-path problem on a
graph of ``n_mentors + 1`` nodes, solved here with a vectorised Bellman-Ford
in exact int64 arithmetic.
"""

from __future__ import annotations

import numpy as np

from matching.flow import COST_BITS

__all__ = ["coverage_out", "duals", "ranges", "shortest_distances"]

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
        arcs = ranges(starts, counts)
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


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
