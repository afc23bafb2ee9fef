"""The held-out evaluation of the text block weights: decomposition, grid, folds and tuning are sound."""

from __future__ import annotations

import doctest
from math import comb

import numpy as np
import pytest

from benchmarks import texteval, textgrid
from benchmarks.evalset import EvalSet, load_evalset, recall_at, reciprocal_rank, render, tfidf_scores
from benchmarks.textblocks import BLOCKS, block_similarities, combine, engine_scores
from benchmarks.texteval import cross_validated
from benchmarks.textgrid import (
    GRID_STEP,
    best_point,
    cross_validate,
    grid_ranks,
    pinned_grid,
    query_folds,
    rank_metrics,
    relevance_mask,
    weight_grid,
)
from benchmarks.texttune import PINNED
from matching.text import BLOCK_WEIGHTS

SHIPPED = np.array([BLOCK_WEIGHTS[name] for name in BLOCKS])


@pytest.fixture(scope="module")
def grid() -> np.ndarray:
    """The simplex with the concept and category blocks pinned, as in the weight search: 1,330 points, not 53,130."""
    return pinned_grid(GRID_STEP, len(BLOCKS), {BLOCKS.index(name): w for name, w in PINNED.items()})


@pytest.fixture(scope="module")
def data() -> EvalSet:
    return load_evalset()


@pytest.fixture(scope="module")
def blocks(data: EvalSet) -> dict[str, np.ndarray]:
    return block_similarities(data)


@pytest.fixture(scope="module")
def ranks(data: EvalSet, blocks: dict[str, np.ndarray], grid: np.ndarray) -> np.ndarray:
    """Every grid point's ranks on every query (about a second)."""
    return grid_ranks(np.stack([blocks[name] for name in BLOCKS]),
                      relevance_mask(data.relevant, len(data.mentors)), grid)


def test_blocks_add_up_to_the_engine_text_similarity(data: EvalSet, blocks: dict[str, np.ndarray]) -> None:
    assert set(blocks) == set(BLOCK_WEIGHTS)
    for name, cosine in blocks.items():  # each block is a cosine of non-negative or unit vectors
        assert cosine.shape == (len(data.queries), len(data.mentors))
        assert cosine.max() <= 1.0 + 1e-5, name
    np.testing.assert_allclose(combine(blocks, BLOCK_WEIGHTS), engine_scores(data), atol=1e-6)


def test_grid_covers_the_simplex_and_holds_the_shipped_weights() -> None:
    grid = weight_grid()
    assert grid.shape == (comb(20 + 5, 5), 6) == (53130, 6)
    assert (grid >= 0).all() and np.allclose(grid.sum(axis=1), 1.0)
    steps = grid / 0.05
    assert np.allclose(steps, np.round(steps))
    assert len(np.unique(np.round(steps).astype(int), axis=0)) == len(grid)
    assert np.isclose(grid, SHIPPED).all(axis=1).sum() == 1
    for corner in np.eye(6):
        assert np.isclose(grid, corner).all(axis=1).any()


def test_pinned_grid_is_the_simplex_with_those_blocks_fixed(grid: np.ndarray) -> None:
    full = weight_grid()
    pinned = [BLOCKS.index(name) for name in PINNED]
    assert grid.shape == (comb(18 + 3, 3), 6) == (1330, 6)
    assert np.allclose(grid[:, pinned], [PINNED[name] for name in PINNED])
    expected = full[np.isclose(full[:, pinned], [PINNED[name] for name in PINNED]).all(axis=1)]
    assert np.array_equal(grid, expected)
    assert np.isclose(grid, SHIPPED).all(axis=1).sum() == 1


def test_grid_step_must_divide_one() -> None:
    with pytest.raises(ValueError):
        weight_grid(0.3)
    with pytest.raises(ValueError):
        pinned_grid(0.25, 3, {0: 0.1})


@pytest.mark.parametrize("n_folds", [2, 5])
def test_folds_partition_the_queries(n_folds: int) -> None:
    folds = query_folds(314, n_folds)
    assert len(folds) == n_folds
    assert np.array_equal(np.sort(np.concatenate(folds)), np.arange(314))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert all(np.array_equal(a, b) for a, b in zip(folds, query_folds(314, n_folds), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(folds, query_folds(314, n_folds, seed=1), strict=True))


def test_vectorised_ranks_agree_with_the_evalset_metrics(data: EvalSet, blocks: dict[str, np.ndarray],
                                                         grid: np.ndarray, ranks: np.ndarray) -> None:
    shipped = int(np.flatnonzero(np.isclose(grid, SHIPPED).all(axis=1))[0])
    scores = combine(blocks, BLOCK_WEIGHTS)
    figures = rank_metrics(ranks[shipped])
    assert figures["recall@1"] == pytest.approx(recall_at(scores, data.relevant, 1))
    assert figures["recall@10"] == pytest.approx(recall_at(scores, data.relevant, 10))
    assert figures["mrr"] == pytest.approx(reciprocal_rank(scores, data.relevant))


@pytest.mark.parametrize("n_folds", [2, 5])
def test_tuned_weights_beat_the_shipped_ones_on_their_training_fold(grid: np.ndarray, ranks: np.ndarray,
                                                                   n_folds: int) -> None:
    shipped = int(np.flatnonzero(np.isclose(grid, SHIPPED).all(axis=1))[0])
    held_out, chosen = cross_validate(ranks, n_folds)
    for fold, point in zip(query_folds(ranks.shape[1], n_folds), chosen, strict=True):
        train = np.setdiff1d(np.arange(ranks.shape[1]), fold)
        assert point == best_point(ranks[:, train])
        tuned, fixed = rank_metrics(ranks[point, train]), rank_metrics(ranks[shipped, train])
        assert tuned["mrr"] >= fixed["mrr"] - 1e-12
        if np.isclose(tuned["mrr"], fixed["mrr"]):
            assert tuned["recall@1"] >= fixed["recall@1"]
        assert np.array_equal(held_out[fold], ranks[point, fold])  # scored by weights that never saw it


def test_report_holds_and_prints_the_cross_validation(data: EvalSet) -> None:
    tfidf = tfidf_scores(data.mentor_texts(), data.query_texts())
    cv = cross_validated(data, tfidf, fold_counts=(2,), pinned=PINNED)
    assert cv["grid_points"] == 1330
    assert [len(w) for w in cv["folds"]["2"]["weights"]] == [6, 6]
    for figures in (cv["folds"]["2"]["cross-validated"], cv["shipped"], cv["tf-idf"]):
        assert set(figures) == {"all", "single"}
        assert 0.0 < figures["single"]["recall@1"] <= figures["single"]["recall@10"] <= 1.0
    assert cv["tf-idf"]["all"]["recall@10"] == pytest.approx(recall_at(tfidf, data.relevant, 10))
    result = {"queries": 314, "mentors": 91, "single_relevant_queries": 137,
              **{name: cv["shipped"] for name in ("engine", "tf-idf", "random")}}
    plain = render(result)
    text = render({**result, "cross_validated": cv})
    assert text.startswith(plain + "\n\n") and "2-fold CV" in text and "chosen per fold" in text


def test_doctests() -> None:
    assert doctest.testmod(texteval).failed == 0
    assert doctest.testmod(textgrid).failed == 0
