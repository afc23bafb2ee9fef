"""Text relevance on the labelled sets: ``python -m benchmarks.texteval [--json PATH] [--tune]``.

Recall@1, recall@10 and MRR of the engine's pure text scorer
(``Matcher().fit(mentors).text_similarity(mentees)``) next to two plain
baselines, word TF-IDF and character 3-5-gram TF-IDF, on goals and mentor
profiles written by the editors of ESCO and O*NET (see
``benchmarks/data/README.md``): the ICT set, and the cross-field sets' tuning
and held-out halves. Only text is compared: every profile gets the same
language, time zone, industry and experience, so the structured criteria
cannot help or hurt.

The engine's block weights (:data:`matching.text.BLOCK_WEIGHTS`) were chosen
by the search of :mod:`benchmarks.texttune` (``--tune``) on the tuning halves
and the ICT set; the held-out halves were not looked at. On the ICT set, :func:`cross_validated` gives an honest figure
next to the shipped one: it re-tunes the weights on part of the queries and
scores only the queries it did not see.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.evalset import (
    DEFAULT,
    FIELD_SETS,
    EvalSet,
    char_tfidf_scores,
    load_evalset,
    recall_at,
    reciprocal_rank,
    render,
    tfidf_scores,
)
from benchmarks.textblocks import BLOCKS, block_similarities, engine_scores
from benchmarks.textgrid import (
    FOLD_SEED,
    GRID_STEP,
    best_point,
    cross_validate,
    grid_ranks,
    pinned_grid,
    rank_metrics,
    relevance_mask,
    weight_grid,
)
from benchmarks.texttune import render_tuning, tune
from matching.text import BLOCK_WEIGHTS


def _as_weights(point: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w in zip(BLOCKS, point, strict=True)}


def _pooled(ranks: np.ndarray, single: list[int]) -> dict[str, dict[str, float]]:
    return {"all": rank_metrics(ranks), "single": rank_metrics(ranks[single])}


def _ranks_of(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.count_nonzero(scores >= np.where(mask, scores, -np.inf).max(axis=1, keepdims=True), axis=1)


def cross_validated(data: EvalSet, tfidf: np.ndarray, fold_counts: tuple[int, ...] = (2, 5),
                    seed: int = FOLD_SEED, pinned: dict[str, float] | None = None) -> dict[str, Any]:
    """Held-out figures of re-tuned weights next to the shipped weights and TF-IDF, per number of folds.

    Every query is held out once, so the shipped weights and TF-IDF are
    scored on all queries: the same queries as the pooled held-out ones.
    "in-sample" is the best grid point on all queries (tuned and scored on
    the same set), the most optimistic figure. The grid is the whole simplex, or
    its points with the ``pinned`` blocks at the weights given (40 times fewer
    with the concept and category blocks pinned, as in the weight search).
    """
    t0 = time.perf_counter()
    blocks = block_similarities(data)
    single = [i for i, r in enumerate(data.relevant) if r.size == 1]
    mask = relevance_mask(data.relevant, len(data.mentors))
    grid = (weight_grid(n_blocks=len(BLOCKS)) if pinned is None else
            pinned_grid(GRID_STEP, len(BLOCKS), {BLOCKS.index(name): w for name, w in pinned.items()}))
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
    out["tf-idf"] = _pooled(_ranks_of(tfidf, mask), single)
    out["seconds"] = time.perf_counter() - t0
    return out


def _metrics(scores: np.ndarray, data: EvalSet, subset: list[int]) -> dict[str, float]:
    rel = [data.relevant[i] for i in subset]
    part = scores[subset]
    return {"recall@1": recall_at(part, rel, 1), "recall@10": recall_at(part, rel, 10),
            "mrr": reciprocal_rank(part, rel)}


def evaluate_set(data: EvalSet) -> dict[str, Any]:
    """The engine, both TF-IDF baselines and chance on one set, on all queries and those with one right mentor."""
    everyone = list(range(len(data.queries)))
    single = [i for i, r in enumerate(data.relevant) if r.size == 1]
    t0 = time.perf_counter()
    engine = engine_scores(data)
    t1 = time.perf_counter()
    tfidf = tfidf_scores(data.mentor_texts(), data.query_texts())
    chars = char_tfidf_scores(data.mentor_texts(), data.query_texts())
    t2 = time.perf_counter()
    chance = np.random.default_rng(0).random(engine.shape)
    out: dict[str, Any] = {"mentors": len(data.mentors), "queries": len(data.queries),
                           "single_relevant_queries": len(single),
                           "seconds": {"engine": t1 - t0, "baselines": t2 - t1}}
    for name, scores in (("engine", engine), ("tf-idf", tfidf), ("char tf-idf", chars), ("random", chance)):
        out[name] = {"all": _metrics(scores, data, everyone), "single": _metrics(scores, data, single)}
    return out


def run(path: Path = DEFAULT, fields: bool = True) -> dict[str, Any]:
    """The ICT set with its cross-validation, then (``fields``) every cross-field set."""
    data = load_evalset(path)
    out = evaluate_set(data)
    out["cross_validated"] = cross_validated(data, tfidf_scores(data.mentor_texts(), data.query_texts()))
    out["seconds"]["cross-validation"] = out["cross_validated"]["seconds"]
    if fields:
        out["fields"] = {name: evaluate_set(load_evalset(file)) for name, file in FIELD_SETS.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--tune", action="store_true",
                        help="search block weights as they were chosen (benchmarks/texttune.py)")
    parser.add_argument("--step", type=float, default=GRID_STEP, help="grid step of --tune")
    opts = parser.parse_args(argv)
    result: Any = tune(opts.step) if opts.tune else run(opts.data)
    print(render_tuning(result) if opts.tune else render(result))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
