"""Text relevance on the ESCO set: ``python -m benchmarks.texteval [--json PATH]``.

Recall@1 and recall@10 of the engine's pure text scorer
(``Matcher().fit(mentors).text_similarity(mentees)``) next to a plain TF-IDF
cosine, on goals and mentor profiles written by ESCO's editors (see
``benchmarks/data/README.md``). Only text is compared: every profile gets the
same language, time zone, industry and experience, so the structured criteria
cannot help or hurt.
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

QUERY_ID_OFFSET = 100_000  # keeps mentee ids apart from mentor ids


def engine_scores(data: EvalSet) -> np.ndarray:
    """The engine's text relevance of every query to every mentor."""
    neutral: dict[str, Any] = {"languages": ["en"], "timezone": "Europe/Brussels",
                               "industry": "ICT"}
    mentors = [Mentor(id=m["id"], about=m["about"], expertise=list(m["expertise"]),
                      years_experience=10, capacity=1, **neutral) for m in data.mentors]
    mentees = [Mentee(id=QUERY_ID_OFFSET + q["id"], goals=q["goals"], skills_to_grow=[],
                      years_experience=2, exclude=frozenset(), **neutral)
               for q in data.queries]
    return np.asarray(Matcher().fit(mentors).text_similarity(mentees), dtype=float)


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
