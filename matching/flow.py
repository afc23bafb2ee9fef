"""The exact solver of a round: integer weights and OR-Tools' min-cost flow.

The round is a transportation problem: each mentee supplies one unit, each
mentor absorbs up to its capacity, and an edge exists for every allowed pair.
It is solved exactly as a min-cost flow with OR-Tools' ``SimpleMinCostFlow``
(cost-scaling push-relabel). Scores are turned into integer weights with a
resolution of ``max|score| / 2**COST_BITS``, far finer than any meaningful
score difference.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COST_BITS", "integer_weights", "row_divisor", "scaled_values", "solve_flow"]

#: Integer resolution of the costs handed to the flow solver.
COST_BITS = 36


def row_divisor(rows: np.ndarray, values: np.ndarray, n: int, equity: float) -> np.ndarray:
    """Each mentee's equity divisor: their best score raised to ``equity`` (1 when it is not positive).

    ``rows``/``values`` are the allowed pairs; the divisor of a row without any is 1.
    """
    if equity <= 0:
        return np.ones(n)
    best = np.full(n, -np.inf)
    np.maximum.at(best, rows, values)
    return np.where(best > 0, np.abs(best) ** equity, 1.0)


def integer_weights(values: np.ndarray, largest: float) -> np.ndarray:
    """The solver's integer weight of each (equity-scaled) score: ``rint(value / largest * 2**COST_BITS)``.

    Examples
    --------
    >>> integer_weights(np.array([1.0, 0.5, 0.0]), 1.0).tolist() == [2**COST_BITS, 2**(COST_BITS - 1), 0]
    True
    """
    return np.rint(scaled_values(values, largest)).astype(np.int64)


def scaled_values(values: np.ndarray, largest: float) -> np.ndarray:
    """``values / largest * 2**COST_BITS`` as floats (any shape), before rounding to integer weights."""
    # Divide first: 2**COST_BITS / largest overflows when every score is below ~1e-297.
    return values / largest * 2.0**COST_BITS if largest > 0 else values


def solve_flow(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, cap: np.ndarray,
               n: int, m: int, objective: str) -> np.ndarray:
    """Mentor column per mentee (-1 unmatched) maximising the total integer weight of the pairs made.

    ``"score"``: an unmatched mentee costs one unit, so among equal totals
    the most pairs are made; ``"coverage"``: the most pairs first.
    """
    result = np.full(n, -1, dtype=np.int64)
    if len(weights) == 0:
        return result
    sink = n + m
    tails = [rows, n + np.arange(m)]
    heads = [n + cols, np.full(m, sink)]
    caps = [np.ones(len(rows), np.int64), cap]
    costs = [-weights, np.zeros(m, np.int64)]
    if objective == "score":
        # A private way out for every mentee keeps the flow feasible. It costs
        # one unit (max|score| / 2**COST_BITS, within the rounding above) so
        # that among equal totals matching wins: at zero cost it would tie with
        # a pair scoring 0, and a mentee with an empty profile scores 0 everywhere.
        tails.append(np.arange(n))
        heads.append(np.full(n, sink))
        caps.append(np.ones(n, np.int64))
        costs.append(np.ones(n, np.int64))
    # Imported here: loading OR-Tools takes half a second, which the web app
    # (it imports this package for its vocabulary) should not pay at start-up.
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs))
    flow.set_nodes_supplies(np.append(np.arange(n), sink),
                            np.append(np.ones(n, np.int64), -n))
    status = flow.solve() if objective == "score" else flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver failed with status {status}")
    used = flow.flows(np.arange(len(rows))) > 0
    result[rows[used]] = cols[used]
    return result
