"""The engine's text score on a labelled set, whole and block by block.

Shared by :mod:`benchmarks.texteval` (the report) and
:mod:`benchmarks.texttune` (the weight search), so neither imports the other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.evalset import EvalSet
from matching import Matcher, Mentee, Mentor
from matching.encoder import TextEncoder
from matching.latent import LatentSpace
from matching.taxonomy import TaxonomyIndex
from matching.text import BLOCK_WEIGHTS, _phrases

__all__ = ["BLOCKS", "block_similarities", "combine", "engine_scores"]

QUERY_ID_OFFSET = 100_000  # keeps mentee ids apart from mentor ids

#: The text score's blocks, in the order of the weight vectors of :mod:`benchmarks.textgrid`.
BLOCKS = tuple(BLOCK_WEIGHTS)


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
    with spaces fitted without its occupations, see :mod:`benchmarks.texttune`).
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
