"""Text relevance on the ESCO set: ``python -m benchmarks.texteval [--json PATH]``.

Recall@1 and recall@10 of the engine's pure text scorer
(``Matcher().fit(mentors).text_similarity(mentees)``) next to a plain TF-IDF
cosine, on goals and mentor profiles written by ESCO's editors (see
``benchmarks/data/README.md``). Only text is compared: every profile gets the
same language, time zone, industry and experience, so the structured criteria
cannot help or hurt.

The engine's block weights (:data:`matching.text.BLOCK_WEIGHTS`) were chosen
with this very set in view, so its figures may flatter it.
:func:`cross_validated` gives an honest figure next to them: it re-tunes the
weights on part of the queries and scores only the queries it did not see.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.evalset import (DEFAULT, EvalSet, load_evalset, recall_at, reciprocal_rank,
                               render, tfidf_scores)
from matching import Matcher, Mentee, Mentor
from matching.text import BLOCK_WEIGHTS, _phrases

QUERY_ID_OFFSET = 100_000  # keeps mentee ids apart from mentor ids

#: The text score's blocks, in the order of the weight vectors below.
BLOCKS = tuple(BLOCK_WEIGHTS)
#: Spacing of the weight grid searched by the cross-validation (1/20: 1,771 points).
GRID_STEP = 0.05
#: Seed of the permutation that splits the queries into folds.
FOLD_SEED = 0


def _records(data: EvalSet) -> tuple[list[Mentor], list[Mentee]]:
    """The set as engine records, all alike but for their text (structured criteria stay neutral)."""
    neutral: dict[str, Any] = {"languages": ["en"], "timezone": "Europe/Brussels",
                               "industry": "ICT"}
    mentors = [Mentor(id=m["id"], about=m["about"], expertise=list(m["expertise"]),
                      years_experience=10, capacity=1, **neutral) for m in data.mentors]
    mentees = [Mentee(id=QUERY_ID_OFFSET + q["id"], goals=q["goals"], skills_to_grow=[],
                      years_experience=2, exclude=frozenset(), **neutral)
               for q in data.queries]
    return mentors, mentees


def engine_scores(data: EvalSet) -> np.ndarray:
    """The engine's text relevance of every query to every mentor."""
    mentors, mentees = _records(data)
    return np.asarray(Matcher().fit(mentors).text_similarity(mentees), dtype=float)


def block_similarities(data: EvalSet) -> dict[str, np.ndarray]:
    """Each block's cosine of every query to every mentor, before weighting.

    The encoder stores each L2-normalised block times the square root of its
    weight, side by side, so the engine's score is one dot product. Taking
    the dot product block by block and dividing by the weight gives the
    cosine back; with the four of them, any weights can be tried without
    encoding the texts again.
    """
    mentors, mentees = _records(data)
    matcher = Matcher().fit(mentors)
    encoder, batch = matcher.encoder_, matcher._prepare(mentees)
    n_words, n_categories = len(encoder.word_idf_), len(_phrases().categories)
    sparse_q, sparse_m = batch.sparse.astype(np.float64), encoder.mentor_sparse_.astype(np.float64)
    dense_q, dense_m = batch.dense.astype(np.float64), encoder.mentor_dense_t_.astype(np.float64)
    columns = {"words": slice(0, n_words), "concepts": slice(n_words, None),
               "categories": slice(0, n_categories), "latent": slice(n_categories, None)}
    out = {}
    for name in BLOCKS:
        cols = columns[name]
        if name in ("words", "concepts"):
            product = (sparse_q[:, cols] @ sparse_m[:, cols].T).toarray()
        else:
            product = dense_q[:, cols] @ dense_m[cols]
        out[name] = product / BLOCK_WEIGHTS[name]
    return out


def combine(blocks: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """The text score the engine would give with these block weights (weighted sum, clipped to [0, 1])."""
    return np.clip(sum(weights[name] * blocks[name] for name in BLOCKS), 0.0, 1.0)


def weight_grid(step: float = GRID_STEP) -> np.ndarray:
    """Every weight vector on the simplex whose weights are multiples of ``step`` (rows, in ``BLOCKS`` order).

    Built from integer counts so that the shipped weights are hit exactly, not
    to within rounding.

    Examples
    --------
    >>> grid = weight_grid(0.5)
    >>> grid.shape
    (10, 4)
    >>> bool(np.allclose(grid.sum(axis=1), 1.0))
    True
    """
    parts = round(1.0 / step)
    if not np.isclose(parts * step, 1.0):
        raise ValueError(f"the step must divide 1, got {step}")
    counts = [(a, b, c, parts - a - b - c) for a in range(parts + 1) for b in range(parts + 1 - a)
              for c in range(parts + 1 - a - b)]
    return np.array(counts, dtype=float) / parts


def query_folds(n_queries: int, n_folds: int, seed: int = FOLD_SEED) -> list[np.ndarray]:
    """Split query indices into ``n_folds`` near-equal folds by a seeded permutation (each sorted).

    Examples
    --------
    >>> [f.tolist() for f in query_folds(5, 2, seed=1)]
    [[0, 1, 4], [2, 3]]
    """
    order = np.random.default_rng(seed).permutation(n_queries)
    return [np.sort(part) for part in np.array_split(order, n_folds)]


def grid_ranks(blocks: np.ndarray, relevant: np.ndarray, grid: np.ndarray,
               chunk: int = 128) -> np.ndarray:
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


def _as_weights(point: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w in zip(BLOCKS, point, strict=True)}


def _pooled(ranks: np.ndarray, single: list[int]) -> dict[str, dict[str, float]]:
    return {"all": rank_metrics(ranks), "single": rank_metrics(ranks[single])}


def cross_validated(data: EvalSet, tfidf: np.ndarray, fold_counts: tuple[int, ...] = (2, 5),
                    seed: int = FOLD_SEED) -> dict[str, Any]:
    """Held-out figures of re-tuned weights next to the shipped weights and TF-IDF, per number of folds.

    Every query is held out once, so the shipped weights and TF-IDF are
    scored on all queries: the same queries as the pooled held-out ones.
    "in-sample" is the best grid point on all queries (tuned and scored on
    the same set), the most optimistic figure.
    """
    t0 = time.perf_counter()
    blocks = block_similarities(data)
    single = [i for i, r in enumerate(data.relevant) if r.size == 1]
    mask = relevance_mask(data.relevant, len(data.mentors))
    grid = weight_grid()
    ranks = grid_ranks(np.stack([blocks[name] for name in BLOCKS]), mask, grid)
    shipped = int(np.flatnonzero(np.isclose(grid, [BLOCK_WEIGHTS[n] for n in BLOCKS]).all(axis=1))[0])
    in_sample = best_point(ranks)
    out: dict[str, Any] = {"seed": seed, "grid_step": GRID_STEP, "grid_points": len(grid),
                           "shipped_weights": _as_weights(grid[shipped]),
                           "in_sample_weights": _as_weights(grid[in_sample]), "folds": {}}
    for n_folds in fold_counts:
        held_out, chosen = cross_validate(ranks, n_folds, seed)
        out["folds"][str(n_folds)] = {"weights": [_as_weights(grid[p]) for p in chosen],
                                      "cross-validated": _pooled(held_out, single)}
    out["shipped"] = _pooled(ranks[shipped], single)
    out["in-sample"] = _pooled(ranks[in_sample], single)
    tfidf_ranks = np.count_nonzero(tfidf >= np.where(mask, tfidf, -np.inf).max(axis=1, keepdims=True), axis=1)
    out["tf-idf"] = _pooled(tfidf_ranks, single)
    out["seconds"] = time.perf_counter() - t0
    return out


def _metrics(scores: np.ndarray, data: EvalSet, subset: list[int]) -> dict[str, float]:
    rel = [data.relevant[i] for i in subset]
    part = scores[subset]
    return {"recall@1": recall_at(part, rel, 1), "recall@10": recall_at(part, rel, 10),
            "mrr": reciprocal_rank(part, rel)}


def run(path: Path = DEFAULT) -> dict[str, Any]:
    """Both scorers on the whole set and on the queries with a single right mentor."""
    data = load_evalset(path)
    everyone = list(range(len(data.queries)))
    single = [i for i, r in enumerate(data.relevant) if r.size == 1]
    t0 = time.perf_counter()
    engine = engine_scores(data)
    t1 = time.perf_counter()
    tfidf = tfidf_scores(data.mentor_texts(), data.query_texts())
    t2 = time.perf_counter()
    chance = np.random.default_rng(0).random(engine.shape)
    out: dict[str, Any] = {"mentors": len(data.mentors), "queries": len(data.queries),
                           "single_relevant_queries": len(single),
                           "seconds": {"engine": t1 - t0, "tf-idf": t2 - t1}}
    for name, scores in (("engine", engine), ("tf-idf", tfidf), ("random", chance)):
        out[name] = {"all": _metrics(scores, data, everyone),
                     "single": _metrics(scores, data, single)}
    out["cross_validated"] = cross_validated(data, tfidf)
    out["seconds"]["cross-validation"] = out["cross_validated"]["seconds"]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--json", type=Path, default=None)
    opts = parser.parse_args(argv)
    result = run(opts.data)
    print(render(result))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
