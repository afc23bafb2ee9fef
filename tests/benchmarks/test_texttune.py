"""The weight search's pieces: the ESCO parts, their cross-fitted corpora, the tie rule and the report."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.evalset import FIELD_SETS, EvalSet, load_evalset
from benchmarks.textblocks import BLOCKS
from benchmarks.textgrid import near_best_order
from benchmarks.texttune import (
    ESCO_PARTS,
    ShippedTexts,
    esco_parts,
    part_documents,
    part_set,
    render_tuning,
    shipped_texts,
)
from matching.latent import shipped_documents


@pytest.fixture(scope="module")
def esco() -> EvalSet:
    return load_evalset(FIELD_SETS["esco-tuning"])


@pytest.fixture(scope="module")
def texts(esco: EvalSet) -> ShippedTexts:
    return shipped_texts(esco)


def test_parts_split_the_tuning_half_the_same_way_every_time(esco: EvalSet) -> None:
    parts = esco_parts(esco)
    assert len(parts) == ESCO_PARTS
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(esco.mentors)))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert all(np.array_equal(a, b) for a, b in zip(parts, esco_parts(esco), strict=True))


def test_every_shipped_occupation_is_keyed_by_its_own_uri(esco: EvalSet, texts: ShippedTexts) -> None:
    assert set(texts.occupations) == {m["uri"] for m in esco.mentors}
    for mentor in esco.mentors:
        assert texts.occupations[mentor["uri"]].lower().startswith(mentor["title"].lower() + " ")
    assert [*texts.glosses, *texts.occupations.values()] == shipped_documents()


def test_a_part_is_never_scored_with_its_own_occupations(esco: EvalSet, texts: ShippedTexts) -> None:
    for part in esco_parts(esco):
        latent_docs, taxonomy_docs = part_documents(texts, esco, part)
        own = {texts.occupations[esco.mentors[i]["uri"]] for i in part}
        others = set(texts.occupations.values()) - own
        assert own and own.isdisjoint(latent_docs) and own.isdisjoint(taxonomy_docs)
        assert others <= set(latent_docs) and others <= set(taxonomy_docs)
        # the shipped corpora, in their order, less the part's own occupations
        assert latent_docs == [text for text in shipped_documents() if text not in own]
        assert taxonomy_docs == [*latent_docs, *texts.skills]


def test_a_part_keeps_its_mentors_and_the_goals_they_answer(esco: EvalSet) -> None:
    part = esco_parts(esco)[0]
    data = part_set(esco, part)
    ids = {esco.mentors[i]["id"] for i in part}
    assert [m["id"] for m in data.mentors] == [esco.mentors[i]["id"] for i in part]
    assert len(data.queries) >= len(part)  # every occupation's own goal, and a few sharing its label
    for query, right in zip(data.queries, data.relevant, strict=True):
        assert query["relevant"] and set(query["relevant"]) <= ids
        assert [data.mentors[i]["id"] for i in right] == query["relevant"]


def test_the_tie_rule_takes_the_best_mrr_near_the_best_recall() -> None:
    recall = np.array([0.900, 0.899, 0.897, 0.950, 0.8985, 0.899])
    mrr = np.array([0.60, 0.66, 0.90, 0.99, 0.66, 0.70])
    keeps = np.array([True, True, True, False, True, True])  # 3 is below the floor
    order = near_best_order(recall, mrr, keeps, near=0.002)
    assert order.tolist() == [5, 1, 4, 0, 2]  # 2 has the best MRR but is 0.003 behind
    assert near_best_order(recall, mrr, keeps, near=0.0).tolist()[0] == 0
    assert near_best_order(recall, mrr, np.zeros(6, dtype=bool), near=0.002).size == 0


def test_the_tie_rule_counts_equal_means_summed_in_another_order_as_equal() -> None:
    recall = np.array([0.1 + 0.2, 0.3, 0.3])
    mrr = np.array([0.5, 0.5 + 1e-14, 0.4])
    assert near_best_order(recall, mrr, np.ones(3, dtype=bool), near=0.0).tolist() == [0, 1, 2]


def test_report_names_the_verdict_and_every_set() -> None:
    figures = {"recall@1": 0.5, "recall@10": 0.9, "mrr": 0.6}
    sets = {"esco-tuning 1/2": {"mentors": 3, "queries": 3}, "ict": {"mentors": 2, "queries": 4}}
    point = {"weights": dict.fromkeys(BLOCKS, 1 / 6), "recall@10": 0.9, "mrr": 0.6, "in_band": True,
             "keeps_floor": True, **dict.fromkeys(sets, figures)}
    result = {"sets": sets, "grid_step": 0.05, "grid_points": 1, "pinned": {"concepts": 0.05}, "near": 0.002,
              "ict_floor": {"mrr": 0.5}, "top": [point], "shipped": {**point, "place": 1},
              "verdict": "the shipped weights are the chosen point", "seconds": 1.0,
              "heldout": {"esco-heldout": [figures, figures]}}
    text = render_tuning(result)
    assert "the shipped weights are the chosen point" in text and "esco-tuning 1/2" in text
    assert "place 1" in text and "0.500/0.900/0.600" in text and "esco-heldout" in text
