"""Loading the labelled text-matching set, its metrics and the TF-IDF baseline.

Kept apart from the engine so the set and the metrics can be checked (and the
baseline run) without importing ``matching``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

DATA = Path(__file__).resolve().parent / "data"
DEFAULT = DATA / "texteval_esco_ict.json"
#: The cross-field sets beside the ICT one: name -> file.
FIELD_SETS = {f"{source}-{half}": DATA / f"texteval_{source}_{half}.json"
              for source in ("esco", "onet") for half in ("tuning", "heldout")}

__all__ = ["FIELD_SETS", "EvalSet", "char_tfidf_scores", "load_evalset", "recall_at", "reciprocal_rank", "render",
           "tfidf_scores"]


@dataclass(frozen=True)
class EvalSet:
    """Mentor profiles, goal queries, and for each query the indices of the right mentors."""

    mentors: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    relevant: list[np.ndarray]  # per query: mentor *indices* (not ids)
    source: dict[str, str]

    def mentor_texts(self) -> list[str]:
        return [m["about"] + " " + ", ".join(m["expertise"]) for m in self.mentors]

    def query_texts(self) -> list[str]:
        return [q["goals"] for q in self.queries]


def load_evalset(path: Path = DEFAULT) -> EvalSet:
    """Read the committed set and check it is consistent (ids resolve, none empty)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    index = {m["id"]: i for i, m in enumerate(data["mentors"])}
    if len(index) != len(data["mentors"]):
        raise ValueError("duplicate mentor ids in the evaluation set")
    relevant = []
    for q in data["queries"]:
        if not q["relevant"] or not q["goals"].strip():
            raise ValueError(f"query {q['id']} has no text or no relevant mentor")
        relevant.append(np.array([index[r] for r in q["relevant"]], dtype=np.int64))
    return EvalSet(data["mentors"], data["queries"], relevant, data.get("source", {}))


def _ranks(scores: np.ndarray, relevant: list[np.ndarray]) -> np.ndarray:
    """Rank (1 = first) of the best-placed relevant mentor for each query.

    Ties are counted against the scorer: a relevant mentor tied with others
    gets the worst position of the tie, so a constant scorer earns nothing.
    """
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    ranks = np.empty(len(relevant), dtype=np.int64)
    for q, rel in enumerate(relevant):
        best = scores[q, rel].max()
        ranks[q] = int(np.count_nonzero(scores[q] >= best))
    return ranks


def recall_at(scores: np.ndarray, relevant: list[np.ndarray], k: int) -> float:
    """Share of queries with a relevant mentor among the top ``k``.

    >>> s = np.array([[0.9, 0.1, 0.2], [0.3, 0.2, 0.1]])
    >>> recall_at(s, [np.array([0]), np.array([2])], 1)
    0.5
    """
    return float(np.mean(_ranks(scores, relevant) <= k))


def reciprocal_rank(scores: np.ndarray, relevant: list[np.ndarray]) -> float:
    """Mean reciprocal rank of the first relevant mentor."""
    return float(np.mean(1.0 / _ranks(scores, relevant)))


def tfidf_scores(mentor_texts: list[str], query_texts: list[str]) -> np.ndarray:
    """Plain TF-IDF cosine: vocabulary and IDF fitted on the mentor side only."""
    vectorizer = TfidfVectorizer()
    mentors = vectorizer.fit_transform(mentor_texts)
    queries = vectorizer.transform(query_texts)
    return (queries @ mentors.T).toarray()  # rows are L2-normalised: this is cosine


def char_tfidf_scores(mentor_texts: list[str], query_texts: list[str]) -> np.ndarray:
    """Character 3-5-gram TF-IDF cosine (n-grams inside word boundaries, sublinear counts), fitted on the mentors."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    mentors = vectorizer.fit_transform(mentor_texts)
    return (vectorizer.transform(query_texts) @ mentors.T).toarray()


def render(result: dict[str, Any]) -> str:
    """The side-by-side tables printed by both entry points: the ICT set, its cross-validation, the cross-field sets."""
    lines = [f"Text relevance on ESCO ICT ({result['queries']} goals, {result['mentors']} "
             f"mentors; {result['single_relevant_queries']} goals have one right mentor)",
             *_table(result)]
    if "cross_validated" in result:
        lines += ["", _render_cross_validated(result["cross_validated"])]
    if "fields" in result:
        lines += ["", "Cross-field sets (a goal names an occupation; its mentor describes the work without "
                      "naming it; block weights tuned on the tuning halves only)"]
        for name, figures in result["fields"].items():
            lines += [f"{name} ({figures['queries']} goals, {figures['mentors']} mentors)", *_table(figures)]
    return "\n".join(lines)


def _table(result: dict[str, Any]) -> list[str]:
    lines = [f"{'scorer':<11} {'R@1':>6} {'R@10':>6} {'MRR':>6} | {'one right mentor:':>17}"
             f" {'R@1':>6} {'R@10':>6}"]
    for name in ("engine", "tf-idf", "char tf-idf", "random"):
        if name in result:
            a, s = result[name]["all"], result[name]["single"]
            lines.append(f"{name:<11} {a['recall@1']:>6.3f} {a['recall@10']:>6.3f} {a['mrr']:>6.3f} | "
                         f"{'':>17} {s['recall@1']:>6.3f} {s['recall@10']:>6.3f}")
    return lines


def _render_cross_validated(cv: dict[str, Any]) -> str:
    """The held-out figures of re-tuned block weights (see ``benchmarks.texteval.cross_validated``)."""
    lines = [f"Block weights re-tuned by {'- and '.join(cv['folds'])}-fold cross-validation "
             f"(grid step {cv['grid_step']}, {cv['grid_points']} points, best MRR; pooled held-out "
             f"queries, seed {cv['seed']}; {cv['seconds']:.1f} s)",
             f"{'weights':<16} {'R@1':>6} {'R@10':>6} {'MRR':>6} | {'one right mentor:':>17}"
             f" {'R@1':>6} {'R@10':>6} {'MRR':>6}"]

    def line(name: str, figures: dict[str, dict[str, float]]) -> str:
        a, s = figures["all"], figures["single"]
        return (f"{name:<16} {a['recall@1']:>6.3f} {a['recall@10']:>6.3f} {a['mrr']:>6.3f} | "
                f"{'':>17} {s['recall@1']:>6.3f} {s['recall@10']:>6.3f} {s['mrr']:>6.3f}")

    for n_folds, fold in cv["folds"].items():
        lines.append(line(f"{n_folds}-fold CV", fold["cross-validated"]))
    lines += [line("shipped", cv["shipped"]), line("in-sample best", cv["in-sample"]),
              line("tf-idf", cv["tf-idf"])]
    lines.append(f"weights ({'/'.join(cv['shipped_weights'])}): shipped {_weights(cv['shipped_weights'])}, "
                 f"in-sample best {_weights(cv['in_sample_weights'])}")
    for n_folds, fold in cv["folds"].items():
        lines.append(f"  chosen per fold, {n_folds} folds: "
                     + "; ".join(_weights(w) for w in fold["weights"]))
    return "\n".join(lines)


def _weights(weights: dict[str, float]) -> str:
    return "/".join(f"{w:.2f}" for w in weights.values())
