"""The committed text-matching set loads, is consistent, and the metrics behave."""

from __future__ import annotations

import numpy as np

from benchmarks.evalset import load_evalset, recall_at, reciprocal_rank, tfidf_scores


def test_committed_set_is_consistent() -> None:
    data = load_evalset()
    assert len(data.mentors) == 91 and len(data.queries) == 314
    assert "ESCO" in data.source["name"] and data.source["licence"]
    for query, rel in zip(data.queries, data.relevant, strict=True):
        assert rel.size >= 1
        for i in rel:  # the relevant mentor really lists the skill
            assert query["skill"] in data.mentors[i]["expertise"]


def test_ties_count_against_the_scorer() -> None:
    flat = np.zeros((2, 4))
    rel = [np.array([0]), np.array([3])]
    assert recall_at(flat, rel, 1) == 0.0
    assert recall_at(flat, rel, 4) == 1.0
    assert reciprocal_rank(flat, rel) == 0.25


def test_tfidf_baseline_beats_chance() -> None:
    data = load_evalset()
    scores = tfidf_scores(data.mentor_texts(), data.query_texts())
    assert scores.shape == (314, 91)
    assert recall_at(scores, data.relevant, 10) > 0.5  # chance is about 0.25
