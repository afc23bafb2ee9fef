"""The search that chose the text score's block weights: ``python -m benchmarks.texteval --tune``.

Only the tuning halves and the ICT set are read to choose:

* the sets: the O*NET tuning half, and the ESCO tuning half split in two
  parts by a seeded permutation of its occupations. The engine's latent
  space and taxonomy index are fitted on the ESCO tuning occupations
  (``matching/data/occupations.json``), so scored with them that half would
  be overrated. Each part is scored instead with a latent space and a
  taxonomy index *cross-fitted*: on the shipped texts with the other part's
  occupations in place of all of them (:func:`part_documents`);
* the grid: every block weight a multiple of 0.05, summing to 1, with the
  concept and category blocks pinned at 0.05. The labelled sets never write
  an abbreviation or an alias ("ML", "k8s"), which is what the concept
  block is for, so a search on them alone would drop it;
* the floor: no point may score below the previous engine on the ICT set;
* the choice: among the points within 0.002 of the best mean recall@10 over
  the three tuning sets, the best mean MRR (:func:`benchmarks.textgrid.near_best_order`).

The held-out halves are scored only after the choice, to report it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from benchmarks.evalset import DEFAULT, FIELD_SETS, EvalSet, load_evalset, recall_at, reciprocal_rank
from benchmarks.textblocks import BLOCKS, block_similarities, combine
from benchmarks.textgrid import (
    GRID_STEP,
    grid_ranks,
    near_best_order,
    pinned_grid,
    query_folds,
    rank_metrics,
    relevance_mask,
)
from matching.latent import LatentSpace, shipped_documents
from matching.taxonomy import TaxonomyIndex
from matching.text import BLOCK_WEIGHTS

#: The sets the weights are chosen on; the ESCO half is cross-fitted (:func:`cross_fitted_blocks`).
TUNING_SETS = ("esco-tuning", "onet-tuning")
#: The previous engine's ICT figures: tuned weights must not fall below them.
ICT_FLOOR = {"recall@1": 0.462, "recall@10": 0.854, "mrr": 0.589}
#: Blocks the search leaves at a fixed weight.
PINNED = {"concepts": 0.05, "categories": 0.05}
#: Points this close to the best mean recall@10 count as best; MRR decides among them.
NEAR = 0.002
#: The ESCO tuning half is cut into this many parts, by a permutation of this seed.
ESCO_PARTS = 2
PART_SEED = 1


@dataclass(frozen=True)
class ShippedTexts:
    """What the engine's latent space and taxonomy index are fitted on, occupation by occupation."""

    glosses: list[str]
    occupations: dict[str, str]  # ESCO URI -> ESCO's labels and description
    skills: list[str]


def _data(name: str) -> list[str]:
    raw = resources.files("matching").joinpath("data", f"{name}.json").read_text("utf-8")
    return list(json.loads(raw)[name])


def shipped_texts(esco: EvalSet) -> ShippedTexts:
    """The shipped texts, the occupations keyed by the URIs of the ESCO tuning half ``esco``.

    ``matching/data/occupations.json`` holds that half's occupations sorted
    by URI, each opening with its preferred label (see
    ``benchmarks/build_occupations.py``); both are checked here.
    """
    occupations = _data("occupations")
    documents = shipped_documents()
    glosses = documents[:len(documents) - len(occupations)]
    mentors = sorted(esco.mentors, key=lambda m: m["uri"])
    if documents[len(glosses):] != occupations or len(mentors) != len(occupations):
        raise ValueError("the shipped occupations are not those of the ESCO tuning half")
    for mentor, text in zip(mentors, occupations, strict=True):
        if not text.lower().startswith(mentor["title"].lower() + " "):
            raise ValueError(f"the shipped text of {mentor['uri']} is not about {mentor['title']!r}")
    return ShippedTexts(glosses, {m["uri"]: text for m, text in zip(mentors, occupations, strict=True)},
                        _data("skills"))


def esco_parts(esco: EvalSet, n_parts: int = ESCO_PARTS, seed: int = PART_SEED) -> list[np.ndarray]:
    """The ESCO tuning half's mentor indices in ``n_parts`` parts (seeded permutation, each sorted)."""
    return query_folds(len(esco.mentors), n_parts, seed)


def part_set(data: EvalSet, part: np.ndarray) -> EvalSet:
    """The mentors of ``part`` and the queries with a right mentor among them (only those kept as right)."""
    mentors = [data.mentors[i] for i in part]
    index = {m["id"]: i for i, m in enumerate(mentors)}
    queries, relevant = [], []
    for query in data.queries:
        right = [r for r in query["relevant"] if r in index]
        if right:
            queries.append({**query, "relevant": right})
            relevant.append(np.array([index[r] for r in right], dtype=np.int64))
    return EvalSet(mentors, queries, relevant, data.source)


def part_documents(texts: ShippedTexts, data: EvalSet, part: np.ndarray) -> tuple[list[str], list[str]]:
    """The latent space's and the taxonomy index's documents for scoring ``part``: the other parts' occupations only."""
    others = [texts.occupations[data.mentors[i]["uri"]] for i in np.setdiff1d(np.arange(len(data.mentors)), part)]
    return [*texts.glosses, *others], [*texts.glosses, *others, *texts.skills]


def cross_fitted_blocks(esco: EvalSet) -> dict[str, tuple[EvalSet, dict[str, np.ndarray]]]:
    """Each part of the ESCO tuning half with its block cosines under spaces fitted without its occupations."""
    texts = shipped_texts(esco)
    out = {}
    for k, part in enumerate(esco_parts(esco), start=1):
        latent_docs, taxonomy_docs = part_documents(texts, esco, part)
        data = part_set(esco, part)
        out[f"esco-tuning {k}/{ESCO_PARTS}"] = (
            data, block_similarities(data, LatentSpace(latent_docs), TaxonomyIndex(taxonomy_docs)))
    return out


def tuning_blocks() -> dict[str, tuple[EvalSet, dict[str, np.ndarray]]]:
    """The tuning sets (the ESCO half in cross-fitted parts) and the ICT set, with their block cosines."""
    out = {}
    for name in TUNING_SETS:
        data = load_evalset(FIELD_SETS[name])
        if name == "esco-tuning":
            out.update(cross_fitted_blocks(data))
        else:
            out[name] = (data, block_similarities(data))
    ict = load_evalset(DEFAULT)
    out["ict"] = (ict, block_similarities(ict))
    return out


def _weights(point: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w in zip(BLOCKS, point, strict=True)}


def _heldout(weights: list[dict[str, float]]) -> dict[str, list[dict[str, float]]]:
    out = {}
    for name in ("esco-heldout", "onet-heldout"):
        data = load_evalset(FIELD_SETS[name])
        blocks = block_similarities(data)
        out[name] = [{"recall@1": recall_at(s, data.relevant, 1), "recall@10": recall_at(s, data.relevant, 10),
                      "mrr": reciprocal_rank(s, data.relevant)} for s in (combine(blocks, w) for w in weights)]
    return out


def tune(step: float = GRID_STEP, top: int = 10, heldout: bool = True) -> dict[str, Any]:
    """Run the search; the ``top`` points in the order of the choice, and where the shipped weights stand."""
    t0 = time.perf_counter()
    sets = tuning_blocks()
    grid = pinned_grid(step, len(BLOCKS), {BLOCKS.index(name): w for name, w in PINNED.items()})
    figures = {name: rank_metrics(grid_ranks(np.stack([blocks[b] for b in BLOCKS]),
                                             relevance_mask(data.relevant, len(data.mentors)), grid))
               for name, (data, blocks) in sets.items()}
    tuning = [name for name in sets if name != "ict"]
    recall = np.mean([figures[name]["recall@10"] for name in tuning], axis=0)
    mrr = np.mean([figures[name]["mrr"] for name in tuning], axis=0)
    keeps = np.all([np.asarray(figures["ict"][k]) >= v - 1e-9 for k, v in ICT_FLOOR.items()], axis=0)
    order = near_best_order(recall, mrr, keeps, NEAR)
    if not order.size:
        raise ValueError("no grid point keeps the ICT floor")
    band = np.round(recall, 12) >= round(float(recall[keeps].max()) - NEAR, 12)

    def point(p: int) -> dict[str, Any]:
        return {"weights": _weights(grid[p]), "recall@10": float(recall[p]), "mrr": float(mrr[p]),
                "in_band": bool(band[p]),
                "keeps_floor": bool(keeps[p]),
                **{name: {k: float(v[p]) for k, v in figures[name].items()} for name in figures}}

    shipped = np.flatnonzero(np.isclose(grid, [BLOCK_WEIGHTS[n] for n in BLOCKS]).all(axis=1))
    out: dict[str, Any] = {"sets": {name: {"mentors": len(d.mentors), "queries": len(d.queries)}
                                    for name, (d, _) in sets.items()},
                           "grid_step": step, "grid_points": len(grid), "pinned": PINNED, "near": NEAR,
                           "ict_floor": ICT_FLOOR, "top": [point(p) for p in order[:top].tolist()],
                           "shipped": None, "verdict": "the shipped weights are not on the grid"}
    if shipped.size:
        s, chosen = int(shipped[0]), int(order[0])
        out["shipped"] = {**point(s), "place": int(np.flatnonzero(order == s)[0]) + 1 if keeps[s] else None}
        out["verdict"] = _verdict(s, chosen, mrr, keeps & band)
    if heldout:
        out["heldout"] = _heldout([out["top"][0]["weights"], dict(BLOCK_WEIGHTS)])
    out["seconds"] = time.perf_counter() - t0
    return out


def _verdict(shipped: int, chosen: int, mrr: np.ndarray, eligible: np.ndarray) -> str:
    """Whether the tie rule picks the shipped weights (``eligible``: above the floor and near the best recall)."""
    if shipped == chosen:
        return "the shipped weights are the chosen point"
    if eligible[shipped] and round(mrr[shipped], 12) == round(mrr[chosen], 12):
        return "the shipped weights tie with the chosen point (same MRR, near-best recall)"
    return "the shipped weights are NOT the chosen point"


def render_tuning(result: dict[str, Any]) -> str:
    """The search's top points as a table, where the shipped weights stand, and the held-out figures."""
    floor = ", ".join(f"{k} {v}" for k, v in result["ict_floor"].items())
    pinned = ", ".join(f"{k} {v}" for k, v in result["pinned"].items())
    names = list(result["sets"])
    lines = [f"Block weights on the tuning sets (grid step {result['grid_step']}, {pinned} pinned: "
             f"{result['grid_points']} points; ICT floor {floor}; within {result['near']} of the best mean "
             f"recall@10, the best mean MRR; {result['seconds']:.0f} s)",
             "sets: " + "; ".join(f"{n} ({s['queries']} goals, {s['mentors']} mentors)"
                                  for n, s in result["sets"].items()),
             f"{'':>3} {'/'.join(BLOCKS):<45} {'R@10':>6} {'MRR':>6} band | "
             + " | ".join(f"{n + ' R@1/R@10/MRR':<30}" for n in names)]

    def line(label: str, point: dict[str, Any]) -> str:
        figures = " | ".join(f"{point[n]['recall@1']:.3f}/{point[n]['recall@10']:.3f}/{point[n]['mrr']:.3f}"
                             .ljust(30) for n in names)
        weights = "/".join(f"{w:.2f}" for w in point["weights"].values())
        return (f"{label:>3} {weights:<45} {point['recall@10']:>6.3f} {point['mrr']:>6.3f} "
                f"{'yes' if point['in_band'] else 'no':>4} | {figures}")

    lines += [line(str(i), point) for i, point in enumerate(result["top"], start=1)]
    shipped = result["shipped"]
    if shipped is not None:
        place = f"place {shipped['place']}" if shipped["place"] else "below the floor"
        lines.append(line("now", shipped) + f"  ({place})")
    lines.append(f"{result['verdict']} (matching.text.BLOCK_WEIGHTS)")
    if "heldout" in result:
        lines.append("held-out halves, reported only (chosen; shipped): " + "; ".join(
            f"{name} " + ", ".join(f"{f['recall@1']:.3f}/{f['recall@10']:.3f}/{f['mrr']:.3f}" for f in figures)
            for name, figures in result["heldout"].items()))
    return "\n".join(lines)
