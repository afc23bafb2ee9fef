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
by :func:`tune` on the tuning halves and the ICT set; the held-out halves were
not looked at. On the ICT set, :func:`cross_validated` gives an honest figure
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
    DATA,
    DEFAULT,
    EvalSet,
    char_tfidf_scores,
    load_evalset,
    recall_at,
    reciprocal_rank,
    render,
    tfidf_scores,
)
from benchmarks.textgrid import (
    FOLD_SEED,
    GRID_STEP,
    best_point,
    cross_validate,
    grid_ranks,
    rank_metrics,
    relevance_mask,
    weight_grid,
)
from matching import Matcher, Mentee, Mentor
from matching.encoder import TextEncoder
from matching.latent import LatentSpace
from matching.taxonomy import TaxonomyIndex
from matching.text import BLOCK_WEIGHTS, _phrases

QUERY_ID_OFFSET = 100_000  # keeps mentee ids apart from mentor ids

#: The text score's blocks, in the order of the weight vectors below.
BLOCKS = tuple(BLOCK_WEIGHTS)
#: The cross-field sets beside the ICT one: name -> file.
FIELD_SETS = {f"{source}-{half}": DATA / f"texteval_{source}_{half}.json"
              for source in ("esco", "onet") for half in ("tuning", "heldout")}
#: The sets :func:`tune` scores weights on. Not ``esco-tuning``: the latent space is fitted
#: on its occupations (``matching/data/occupations.json``), so there it would be overrated.
TUNING_SETS = ("onet-tuning",)
#: The previous engine's ICT figures: tuned weights must not fall below them.
ICT_FLOOR = {"recall@1": 0.462, "recall@10": 0.854, "mrr": 0.589}
#: Least weight :func:`tune` leaves any block.
LEAST_WEIGHT = 0.05


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


def block_similarities(data: EvalSet, latent: LatentSpace | None = None,
                       taxonomy: TaxonomyIndex | None = None) -> dict[str, np.ndarray]:
    """Each block's cosine of every query to every mentor, before weighting.

    The encoder stores each L2-normalised block times the square root of its
    weight, side by side, so the engine's score is one dot product. Encoded
    with unit weights, the dot product block by block is each block's
    cosine; with all of them, any weights can be tried without encoding the
    texts again. ``latent`` and ``taxonomy`` replace the shipped ones (fitted
    on other texts: on the ESCO tuning half split in two, each part is scored
    with spaces fitted without its occupations).
    """
    mentors, mentees = _records(data)
    matcher = Matcher().fit(mentors)
    encoder = TextEncoder(weights=dict.fromkeys(BLOCKS, 1.0), latent=latent,
                          taxonomy=taxonomy).fit(matcher.mentor_corpus_)
    sparse_q, dense_q = encoder.transform(matcher._prepare(mentees).corpus)
    n_words, n_chars, n_categories = encoder.n_words_, encoder.n_chars_, len(_phrases().categories)
    sparse_q, sparse_m = sparse_q.astype(np.float64), encoder.mentor_sparse_.astype(np.float64)
    dense_q, dense_m = dense_q.astype(np.float64), encoder.mentor_dense_t_.astype(np.float64)
    n_concepts = len(encoder.concepts_.idf_)
    columns = {"words": slice(0, n_words), "chars": slice(n_words, n_words + n_chars),
               "concepts": slice(n_words + n_chars, n_words + n_chars + n_concepts),
               "taxonomy": slice(n_words + n_chars + n_concepts, None),
               "categories": slice(0, n_categories), "latent": slice(n_categories, None)}
    out = {}
    for name in BLOCKS:
        cols = columns[name]
        if name in ("words", "chars", "concepts", "taxonomy"):
            out[name] = (sparse_q[:, cols] @ sparse_m[:, cols].T).toarray()
        else:
            out[name] = dense_q[:, cols] @ dense_m[cols]
    return out


def combine(blocks: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """The text score the engine would give with these block weights (weighted sum, clipped to [0, 1])."""
    return np.clip(sum(weights[name] * blocks[name] for name in BLOCKS), 0.0, 1.0)


def _as_weights(point: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w in zip(BLOCKS, point, strict=True)}


def _pooled(ranks: np.ndarray, single: list[int]) -> dict[str, dict[str, float]]:
    return {"all": rank_metrics(ranks), "single": rank_metrics(ranks[single])}


def _ranks_of(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.count_nonzero(scores >= np.where(mask, scores, -np.inf).max(axis=1, keepdims=True), axis=1)


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
    grid = weight_grid(n_blocks=len(BLOCKS))
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


def tune(step: float = GRID_STEP, sets: tuple[str, ...] = TUNING_SETS, top: int = 10,
         floor: dict[str, float] | None = None, least: float = LEAST_WEIGHT) -> list[dict[str, Any]]:
    """The best block weights on the tuning halves (mean recall@10, then mean MRR) that keep the ICT ``floor``.

    Every block keeps at least ``least``: the labelled sets never write an
    abbreviation or an alias ("ML", "k8s", "leading a team"), which is what
    the concepts block is for, so a search on them alone would drop it.
    Only the tuning halves and the ICT set are read: the held-out halves
    stay unseen. Returns the ``top`` grid points, best first, with their
    figures on every set read.
    """
    floor = ICT_FLOOR if floor is None else floor
    grid = weight_grid(step, n_blocks=len(BLOCKS))
    figures = {}
    for name in (*sets, "ict"):
        data = load_evalset(FIELD_SETS.get(name, DEFAULT))
        blocks = block_similarities(data)
        figures[name] = rank_metrics(grid_ranks(np.stack([blocks[b] for b in BLOCKS]),
                                                relevance_mask(data.relevant, len(data.mentors)), grid))
    recall = np.mean([figures[name]["recall@10"] for name in sets], axis=0)
    mrr = np.mean([figures[name]["mrr"] for name in sets], axis=0)
    keeps = np.all([np.asarray(figures["ict"][k]) >= v - 1e-9 for k, v in floor.items()], axis=0)
    keeps &= (grid >= least - 1e-9).all(axis=1)
    order = np.lexsort((-np.round(mrr, 12), -np.round(recall, 12)))
    order = order[keeps[order]][:top]
    return [{"weights": _as_weights(grid[p]), "recall@10": float(recall[p]), "mrr": float(mrr[p]),
             **{name: {k: float(v[p]) for k, v in figures[name].items()} for name in figures}}
            for p in order.tolist()]


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
    parser.add_argument("--tune", action="store_true", help="search block weights on the tuning halves")
    parser.add_argument("--step", type=float, default=GRID_STEP, help="grid step of --tune")
    opts = parser.parse_args(argv)
    result: Any = tune(opts.step) if opts.tune else run(opts.data)
    print(json.dumps(result, indent=1) if opts.tune else render(result))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
