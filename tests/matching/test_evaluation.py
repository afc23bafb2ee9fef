import json

import numpy as np
import pytest
import scipy.sparse as sp

from matching import assign, evaluate


def brute_blocking(scores: np.ndarray, a: np.ndarray, capacity: np.ndarray) -> int:
    n, m = scores.shape
    load = np.bincount(a[a >= 0], minlength=m)
    count = 0
    for i in range(n):
        for j in range(m):
            if not np.isfinite(scores[i, j]) or a[i] == j:
                continue
            mentee = a[i] < 0 or scores[i, j] > scores[i, a[i]]
            held = [scores[k, j] for k in range(n) if a[k] == j]
            mentor = load[j] < capacity[j] or (held and scores[i, j] > min(held))
            count += bool(mentee and mentor)
    return count


def test_report_figures_on_a_small_round() -> None:
    s = np.array([[0.9, 0.5], [0.8, -np.inf], [0.2, 0.1]])
    cap = np.array([1, 2])
    a = np.array([0, -1, 1])
    r = evaluate(s, a, cap, groups=["en", "de", "en"])
    assert (r["matched"], r["coverage"]) == (2, pytest.approx(2 / 3))
    assert r["total_score"] == pytest.approx(1.0) and r["mean_score"] == pytest.approx(0.5)
    assert r["min_score"] == pytest.approx(0.1) and r["mentors_used"] == 2
    assert r["load_mean"] == pytest.approx(0.75) and r["load_std"] == pytest.approx(0.25)
    assert r["coverage_by_group"] == {"en": {"mentees": 2, "matched": 2, "coverage": 1.0},
                                      "de": {"mentees": 1, "matched": 0, "coverage": 0.0}}
    assert r["blocking_pairs"] == brute_blocking(s, a, cap)
    json.dumps(r)
    assert all(type(v) in (int, float, dict, type(None)) for v in r.values())


def test_blocking_pairs_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        s = np.round(rng.random((12, 5)), 1)
        s[rng.random(s.shape) < 0.3] = -np.inf
        cap = rng.integers(0, 3, size=5)
        for a in (assign(s, cap), assign(s, cap, equity=1.0), assign(s, cap, objective="coverage")):
            assert evaluate(s, a, cap)["blocking_pairs"] == brute_blocking(s, a, cap)


def test_optimal_assignment_of_a_stable_instance_has_no_blocking_pair() -> None:
    s = np.array([[0.9, 0.1], [0.1, 0.9]])
    assert evaluate(s, assign(s, [1, 1]), [1, 1])["blocking_pairs"] == 0


def test_sparse_scores_are_read_like_dense_ones() -> None:
    s = np.array([[0.9, -np.inf], [0.0, 0.4]])
    cs = sp.csr_matrix((np.array([0.9, 0.0, 0.4]), (np.array([0, 1, 1]), np.array([0, 0, 1]))), shape=(2, 2))
    a = np.array([0, 1])
    assert evaluate(s, a, [1, 1]) == evaluate(cs, a, [1, 1])


def test_nobody_matched_reports_none_scores() -> None:
    r = evaluate(np.array([[0.5]]), np.array([-1]), [1])
    assert r["matched"] == 0 and r["mean_score"] is None and r["blocking_pairs"] == 1


@pytest.mark.parametrize(("a", "cap", "message"), [
    ([0, 0], [1, 1], "exceeds capacity"),
    ([1, -1], [1, 1], "not allowed"),
    ([5, -1], [1, 1], "mentor column"),
    ([0], [1, 1], "assignment must be 2 integers"),
    ([0, -1], [1], "capacity must have one entry per mentor"),
])
def test_inconsistent_assignment_raises(a: list, cap: list, message: str) -> None:
    s = np.array([[0.9, -np.inf], [0.8, 0.7]])
    with pytest.raises(ValueError, match=message):
        evaluate(s, np.array(a), cap)


def test_a_round_with_no_mentees_takes_an_empty_list() -> None:
    r = evaluate(np.zeros((0, 3)), [], [1, 1, 1])
    assert (r["mentees"], r["matched"], r["coverage"], r["seats"]) == (0, 0, 0.0, 3)


def test_group_labels_are_reported_as_json_friendly_keys() -> None:
    s = np.array([[0.5], [0.4]])
    r = evaluate(s, [0, -1], [1], groups=np.array([7, 8]))
    assert list(r["coverage_by_group"]) == [7, 8] and all(type(k) is int for k in r["coverage_by_group"])
    json.dumps(r)


def test_missing_group_labels_count_as_one_group() -> None:
    s = np.array([[0.5], [0.4], [0.3]])
    r = evaluate(s, [0, -1, -1], [1], groups=[float("nan"), np.float64("nan"), None])
    assert r["coverage_by_group"] == {None: {"mentees": 3, "matched": 1, "coverage": pytest.approx(1 / 3)}}


@pytest.mark.parametrize(("groups", "message"), [
    (["a", "b"], "one label per mentee"),
    ([["a"]], r"groups must hold hashable labels, got \['a'\]"),
    (5, "groups must be a sequence of labels, got 5"),
])
def test_bad_groups_raise_value_error(groups: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate(np.array([[0.5]]), np.array([0]), [1], groups=groups)  # type: ignore[arg-type]


class _MissingMarker:
    """Behaves like ``pd.NA``: compares to anything as itself, has no truth value, cannot be hashed."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> "_MissingMarker":  # type: ignore[override]
        return self

    def __ne__(self, other: object) -> "_MissingMarker":  # type: ignore[override]
        return self

    def __bool__(self) -> bool:
        raise TypeError("boolean value of NA is ambiguous")


def test_reports_with_tuple_and_missing_labels_are_json_serialisable() -> None:
    s = np.array([[0.5], [0.4], [0.3], [0.2], [0.1]])
    labels = [("en", "Europe"), ("en", np.str_("Europe")), (None, float("nan")), _MissingMarker(), np.float32("nan")]
    r = evaluate(s, [0, -1, -1, -1, -1], [1], groups=labels)
    by_group = json.loads(json.dumps(r))["coverage_by_group"]
    assert by_group == {'["en", "Europe"]': {"mentees": 2, "matched": 1, "coverage": 0.5},
                        "[null, null]": {"mentees": 1, "matched": 0, "coverage": 0.0},
                        "null": {"mentees": 2, "matched": 0, "coverage": 0.0}}


def test_other_label_objects_are_reported_by_their_text() -> None:
    day = __import__("datetime").date(2025, 3, 1)
    r = evaluate(np.array([[0.5]]), [0], [1], groups=[day])
    assert list(r["coverage_by_group"]) == ["2025-03-01"]
    json.dumps(r)
