"""Weight grids, query folds and vectorised ranks for tuning the text score's block weights.

Kept apart from :mod:`benchmarks.texteval` so the search itself can be
checked on small arrays, without the engine.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FOLD_SEED", "GRID_STEP", "best_point", "cross_validate", "grid_ranks", "near_best_order",
           "pinned_grid", "query_folds", "rank_metrics", "relevance_mask", "weight_grid"]

#: Spacing of the weight grid (1/20).
GRID_STEP = 0.05
#: Seed of the permutation that splits the queries into folds.
FOLD_SEED = 0
#: Scores held at once by :func:`grid_ranks` (points x queries x mentors), 64 MB of float64.
_CELLS = 8_000_000


def weight_grid(step: float = GRID_STEP, n_blocks: int = 6) -> np.ndarray:
    """Every weight vector of ``n_blocks`` weights on the simplex that are multiples of ``step`` (rows).

    Built from integer counts so that the shipped weights are hit exactly, not
    to within rounding.

    Examples
    --------
    >>> grid = weight_grid(0.5, n_blocks=4)
    >>> grid.shape
    (10, 4)
    >>> bool(np.allclose(grid.sum(axis=1), 1.0))
    True
    """
    parts = round(1.0 / step)
    if not np.isclose(parts * step, 1.0):
        raise ValueError(f"the step must divide 1, got {step}")
    if n_blocks < 1:
        raise ValueError(f"need at least one block, got {n_blocks}")
    counts = [(parts,)] if n_blocks == 1 else [
        (*head, parts - sum(head)) for head in _compositions(parts, n_blocks - 1)]
    return np.array(counts, dtype=float) / parts


def pinned_grid(step: float, n_blocks: int, pinned: dict[int, float]) -> np.ndarray:
    """The rows of :func:`weight_grid` whose columns in ``pinned`` hold the weight given there.

    Examples
    --------
    >>> pinned_grid(0.25, 3, {0: 0.25}).tolist()
    [[0.25, 0.0, 0.75], [0.25, 0.25, 0.5], [0.25, 0.5, 0.25], [0.25, 0.75, 0.0]]
    """
    grid = weight_grid(step, n_blocks)
    keep = np.ones(len(grid), dtype=bool)
    for column, weight in pinned.items():
        keep &= np.isclose(grid[:, column], weight)
    if not keep.any():
        raise ValueError(f"no grid point of step {step} has the weights {pinned}")
    return grid[keep]


def _compositions(total: int, n: int) -> list[tuple[int, ...]]:
    """Every tuple of ``n`` non-negative integers summing to at most ``total``, in lexicographic order."""
    if n == 0:
        return [()]
    return [(first, *rest) for first in range(total + 1) for rest in _compositions(total - first, n - 1)]


def query_folds(n_queries: int, n_folds: int, seed: int = FOLD_SEED) -> list[np.ndarray]:
    """Split query indices into ``n_folds`` near-equal folds by a seeded permutation (each sorted).

    Examples
    --------
    >>> [f.tolist() for f in query_folds(5, 2, seed=1)]
    [[0, 1, 4], [2, 3]]
    """
    order = np.random.default_rng(seed).permutation(n_queries)
    return [np.sort(part) for part in np.array_split(order, n_folds)]

def grid_ranks(blocks: np.ndarray, relevant: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Rank of the best-placed right mentor of every query under every grid point (points x queries).

    ``blocks`` is (block, query, mentor), ``relevant`` a boolean (query,
    mentor) mask. Ties count against the scorer, as in
    :func:`benchmarks.evalset.recall_at`. Grid points go through in chunks so
    the (point, query, mentor) scores stay a few tens of megabytes.

    Examples
    --------
    >>> blocks = np.array([[[0.9, 0.1]], [[0.0, 0.8]]])  # 2 blocks, 1 query, 2 mentors
    >>> grid_ranks(blocks, np.array([[True, False]]), np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
    [[1], [2]]
    """
    ranks = np.empty((len(grid), blocks.shape[1]), dtype=np.int64)
    chunk = max(1, _CELLS // max(1, blocks.shape[1] * blocks.shape[2]))
    for start in range(0, len(grid), chunk):
        scores = np.clip(np.einsum("pb,bqm->pqm", grid[start:start + chunk], blocks), 0.0, 1.0)
        best = np.where(relevant, scores, -np.inf).max(axis=2)
        ranks[start:start + chunk] = np.count_nonzero(scores >= best[..., None], axis=2)
    return ranks

def rank_metrics(ranks: np.ndarray) -> dict[str, float]:
    """Recall@1, recall@10 and MRR from the ranks of the right mentors (last axis: queries).

    Examples
    --------
    >>> rank_metrics(np.array([1, 2, 4, 16]))
    {'recall@1': 0.25, 'recall@10': 0.75, 'mrr': 0.453125}
    """
    return {"recall@1": np.mean(ranks <= 1, axis=-1).tolist(),
            "recall@10": np.mean(ranks <= 10, axis=-1).tolist(),
            "mrr": np.mean(1.0 / ranks, axis=-1).tolist()}

def best_point(ranks: np.ndarray) -> int:
    """Index of the grid point with the highest MRR; ties go to recall@1, then to the first point.

    MRRs are compared to 12 decimals, so that equal means summed in another
    order still tie.

    Examples
    --------
    >>> best_point(np.array([[1, 3], [2, 2], [1, 3]]))
    0
    """
    mrr = np.round(np.mean(1.0 / ranks, axis=1), 12)
    recall1 = np.mean(ranks <= 1, axis=1)
    return int(np.lexsort((np.arange(len(ranks)), -recall1, -mrr))[0])

def relevance_mask(relevant: list[np.ndarray], n_mentors: int) -> np.ndarray:
    """The right mentors as a boolean (query, mentor) mask, the form :func:`grid_ranks` vectorises over.

    Examples
    --------
    >>> relevance_mask([np.array([1]), np.array([0, 2])], 3).astype(int).tolist()
    [[0, 1, 0], [1, 0, 1]]
    """
    mask = np.zeros((len(relevant), n_mentors), dtype=bool)
    for q, rel in enumerate(relevant):
        mask[q, rel] = True
    return mask

def cross_validate(ranks: np.ndarray, n_folds: int, seed: int = FOLD_SEED) -> tuple[np.ndarray, list[int]]:
    """Held-out rank of every query under the grid point chosen without it, and the point each fold chose.

    ``ranks`` is :func:`grid_ranks` over all queries: tuning on a training
    fold only reads its columns, so the scores are computed once for every
    split. Each query is held out exactly once; pooled over folds, its ranks
    say what tuning the weights on the set is worth on queries it has not seen.
    """
    n_queries = ranks.shape[1]
    held_out = np.empty(n_queries, dtype=np.int64)
    chosen = []
    for fold in query_folds(n_queries, n_folds, seed):
        best = best_point(ranks[:, np.setdiff1d(np.arange(n_queries), fold)])
        held_out[fold] = ranks[best, fold]
        chosen.append(best)
    return held_out, chosen


def near_best_order(recall: np.ndarray, mrr: np.ndarray, keeps: np.ndarray, near: float) -> np.ndarray:
    """The points that ``keeps`` allows, best first: within ``near`` of the best recall, by MRR; then the rest.

    Recall@10 moves by whole queries and a few queries are noise, so every
    point within ``near`` of the best recall counts as best, and MRR (the
    whole ranking) decides among them; ties go to recall, then to the first
    point. The points outside that band follow by recall, then MRR. Figures
    are compared to 12 decimals, so that equal means summed in another order
    still tie.

    Examples
    --------
    >>> recall, mrr = np.array([0.90, 0.899, 0.95, 0.80]), np.array([0.60, 0.70, 0.65, 0.90])
    >>> near_best_order(recall, mrr, np.array([True, True, False, True]), near=0.002).tolist()
    [1, 0, 3]
    """
    recall, mrr = np.round(recall, 12), np.round(mrr, 12)
    allowed = np.flatnonzero(keeps)
    if not allowed.size:
        return allowed
    band = recall >= np.round(recall[allowed].max() - near, 12)
    first = np.where(band, -mrr, -recall)
    then = np.where(band, -recall, -mrr)
    order = np.lexsort((np.arange(len(recall)), then, first, ~band))
    return order[keeps[order]]
