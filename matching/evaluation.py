"""Quality figures of a matching round: coverage, scores, load spread and stability."""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from matching.assignment import as_capacity, as_edges

__all__ = ["evaluate"]


def _gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = perfectly even)."""
    if len(x) == 0 or x.sum() == 0:
        return 0.0
    x = np.sort(x)
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def _is_missing(label: object) -> bool:
    """None, NaN and the missing-value markers of data libraries (``pd.NA``, ``pd.NaT``).

    A missing value is the one thing that differs from itself (NaN, NaT) or
    cannot even say whether it does (``pd.NA``, whose truth value raises
    TypeError); an array's ambiguous answer (ValueError) is not missing.
    """
    if label is None:
        return True
    try:
        return bool(label != label)
    except TypeError:
        return True
    except ValueError:
        return False


def _json_part(part: object) -> object:
    """A component of a tuple label as a JSON value (missing -> None, tuples -> lists, other objects -> str)."""
    if isinstance(part, np.generic):
        part = part.item()
    if _is_missing(part):
        return None
    if isinstance(part, tuple):
        return [_json_part(p) for p in part]
    return part if isinstance(part, str | int | float | bool) else str(part)


def _group_key(label: object) -> Hashable:
    """A group label as a JSON-friendly dict key.

    NumPy scalars become Python ones; every missing label (None, NaN,
    ``pd.NA``-like markers) becomes None, since no NaN equals another and
    each mentee with a missing label would otherwise be a group of its own;
    a tuple becomes the JSON text of its list (``("en", "Europe")`` ->
    ``'["en", "Europe"]'``); other hashable objects their ``str``.
    """
    if isinstance(label, np.generic):
        label = label.item()
    if _is_missing(label):
        return None
    if isinstance(label, tuple):
        return json.dumps(_json_part(label), ensure_ascii=False)
    try:
        hash(label)
    except TypeError:
        raise ValueError(f"groups must hold hashable labels, got {label!r}") from None
    return label if isinstance(label, str | int | float | bool) else str(label)


def evaluate(scores: ArrayLike | sp.sparray, assignment: ArrayLike, capacity: ArrayLike, *,
             groups: Sequence[Hashable] | None = None) -> dict:
    """Report on an assignment: how many are matched, how well, how evenly, how stable.

    Parameters
    ----------
    scores : array-like or scipy sparse matrix, shape (n_mentees, n_mentors)
        True scores (as given to :func:`assign`; ``-inf`` or absent = not allowed).
    assignment : array-like of int, shape (n_mentees,)
        Mentor column per mentee, -1 for unmatched.
    capacity : array-like of int, shape (n_mentors,)
        Capacities above ``MOST_SEATS`` (2**40) count as that many seats.
    groups : sequence, optional
        One label per mentee (e.g. first language); adds ``coverage_by_group``.
        Keys are JSON-friendly: NumPy scalars are reported as Python ones,
        missing labels (None, NaN, ``pd.NA``-like) are counted together under
        None, a tuple label is keyed by the JSON text of its list and any other
        object by its ``str``.

    Returns
    -------
    dict
        ``mentees``, ``matched``, ``coverage``, ``total_score``, ``mean_score``,
        ``min_score``, ``p10_score`` (None when nobody is matched),
        ``seats``, ``mentors_used``, ``load_mean``, ``load_std``, ``load_gini``
        (load = share of a mentor's capacity used, over mentors with
        capacity), ``blocking_pairs`` (allowed pairs not made where the mentee
        prefers the mentor to their own match or is unmatched, and the mentor
        has a free seat or prefers the mentee to its weakest mentee) and
        ``coverage_by_group``. Plain Python numbers and JSON-friendly group
        keys, so ``json.dumps(report)`` always works.

    Examples
    --------
    >>> r = evaluate([[0.9, 0.2], [0.8, -np.inf]], [0, -1], [1, 1])
    >>> r["matched"], r["coverage"], r["blocking_pairs"]
    (1, 0.5, 0)
    """
    rows, cols, values, (n, m) = as_edges(scores)
    cap = as_capacity(capacity, m)
    a = np.asarray(assignment)
    if a.size == 0 and a.dtype.kind == "f":  # [] for a round with no mentees
        a = a.astype(np.int64)
    if a.shape != (n,) or a.dtype.kind not in "iu":
        raise ValueError(f"assignment must be {n} integers, got shape {a.shape} dtype {a.dtype}")
    if np.any((a < -1) | (a >= m)):
        bad = a[(a < -1) | (a >= m)][:5]
        raise ValueError(f"assignment entries must be -1 or a mentor column in [0, {m}), got {bad}")
    matched_rows = np.flatnonzero(a >= 0)
    keys = rows * m + cols
    pos = np.searchsorted(keys, matched_rows * m + a[matched_rows])
    ok = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == matched_rows * m + a[matched_rows]) \
        if len(keys) else np.zeros(len(matched_rows), bool)
    if not np.all(ok):
        raise ValueError(f"assignment uses pairs that are not allowed, e.g. mentee {matched_rows[~ok][0]}")
    own = np.full(n, -np.inf)
    own[matched_rows] = values[pos]
    load = np.bincount(a[matched_rows], minlength=m)
    if np.any(load > cap):
        raise ValueError(f"assignment exceeds capacity of mentor {np.flatnonzero(load > cap)[0]}")
    pair = values[pos]

    # Blocking pairs, vectorised over allowed entries.
    weakest = np.full(m, np.inf)
    np.minimum.at(weakest, a[matched_rows], pair)
    mentee_wants = (a[rows] < 0) | (values > own[rows])
    mentor_wants = (load[cols] < cap[cols]) | (values > weakest[cols])
    blocking = int(np.sum(mentee_wants & mentor_wants & (a[rows] != cols)))

    has_cap = cap > 0
    share = load[has_cap] / cap[has_cap]
    k = len(pair)
    report: dict[str, Any] = {
        "mentees": n,
        "mentors": m,
        "matched": k,
        "coverage": k / n if n else 0.0,
        "total_score": float(pair.sum()),
        "mean_score": float(pair.mean()) if k else None,
        "min_score": float(pair.min()) if k else None,
        "p10_score": float(np.percentile(pair, 10)) if k else None,
        "seats": int(cap.sum()),
        "seats_used": k,
        "mentors_used": int(np.count_nonzero(load)),
        "load_mean": float(share.mean()) if len(share) else 0.0,
        "load_std": float(share.std()) if len(share) else 0.0,
        "load_gini": _gini(load[has_cap].astype(float)),
        "blocking_pairs": blocking,
    }
    if groups is not None:
        try:
            labels = [_group_key(label) for label in groups]
        except TypeError:
            raise ValueError(f"groups must be a sequence of labels, got {groups!r}") from None
        if len(labels) != n:
            raise ValueError(f"groups must have one label per mentee ({n}), got {len(labels)}")
        by_group: dict = {}
        for label, hit in zip(labels, a >= 0, strict=True):
            entry = by_group.setdefault(label, {"mentees": 0, "matched": 0})
            entry["mentees"] += 1
            entry["matched"] += int(hit)
        for entry in by_group.values():
            entry["coverage"] = entry["matched"] / entry["mentees"]
        report["coverage_by_group"] = by_group
    return report
