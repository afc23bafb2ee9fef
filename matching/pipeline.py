"""A round's mentees analysed a part at a time, each part scored while the next is analysed.

Analysing a batch's text is mostly Python, on one core; scoring its chunks
keeps both cores busy (:mod:`matching.parallel`). Done one after the other,
one core idles through the analysis (a quarter of a 10,000-mentee round).
:func:`prepared_candidates` analyses the mentees in parts of whole chunks
on a thread of its own, and each chunk is scored as soon as its part is
ready. Each row's features do not depend on the other rows of its batch
(a product per row, normalised per row), so the parts stacked are the
batch :meth:`Scorer._prepare` gives, and the candidates those of
:meth:`Matcher.candidates`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus, Document
from matching.criteria import Facts, Tables
from matching.model import Mentee
from matching.scoring import _Batch, _Features

if TYPE_CHECKING:
    from matching.matcher import Matcher

__all__ = ["prepared_candidates"]

#: Fewer rows than this are analysed another way (matching.encoder's few-rows path): no part is smaller.
_LEAST_ROWS = 64


def prepared_candidates(matcher: Matcher, mentees: Sequence[Mentee], k: int
                        ) -> tuple[_Batch, Tables, sp.csr_matrix]:
    """The prepared batch, its structured criteria and its ``k`` candidates per mentee.

    Parts double in size (one chunk, one, two, four, ...), so scoring starts
    after the analysis of one chunk and the last part's analysis is short
    beside the scoring still to do.
    """
    mentees = matcher._checked(mentees)
    n = len(mentees)
    chunks = matcher._chunks(n)
    bounds = _part_bounds(len(chunks))
    if len(bounds) < 3 or chunks[0].stop - chunks[0].start < _LEAST_ROWS:
        batch = matcher._prepare(mentees)
        tables = matcher._tables(batch)
        return batch, tables, matcher._candidates(batch, k, tables)
    starts = [chunks[b].start for b in bounds[:-1]] + [n]
    parts = [slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]
    facts, excluded = matcher._facts(mentees), matcher._excluded(mentees)
    tables = matcher._tables(_Features(mentees, sp.csr_matrix((n, 0)), np.empty((n, 0)), facts,
                                       np.zeros(n, bool), excluded))
    made: list[tuple[Corpus, sp.csr_matrix, np.ndarray] | None] = [None] * len(parts)
    ready = [threading.Event() for _ in parts]
    failed: list[BaseException] = []

    def analyse() -> None:
        try:
            for i, part in enumerate(parts):
                made[i] = matcher._analysed(mentees[part])
                ready[i].set()
        except BaseException as error:  # handed to the chunks waiting for it
            failed.append(error)
        finally:
            for event in ready:
                event.set()

    views: dict[int, tuple[_Features, Tables, int]] = {}

    def source(chunk: slice) -> tuple[_Features, Tables, int]:
        i = int(np.searchsorted(starts, chunk.start, side="right")) - 1
        ready[i].wait()
        if failed:
            raise RuntimeError("analysing the mentees failed") from failed[0]
        if i not in views:  # the same for every chunk of the part: a race builds it twice, no harm
            views[i] = _part_view(made[i], parts[i], mentees, facts, excluded, tables)
        return views[i]

    worker = threading.Thread(target=analyse, name="analyse-mentees", daemon=True)
    worker.start()
    try:
        cand = matcher._candidates_from(n, k, source)
    finally:
        worker.join()
    if failed:
        raise failed[0]
    texts = [m for m in made if m is not None]
    sparse = sp.vstack([t[1] for t in texts], format="csr")
    dense = np.concatenate([t[2] for t in texts])
    has_text = np.concatenate([t[0].nonempty() for t in texts])
    batch = _Batch(mentees, sparse, dense, facts, has_text, excluded, _Parts([t[0] for t in texts], starts))
    return batch, tables, cand


def _part_bounds(n_chunks: int) -> list[int]:
    """Chunk indices where parts start, and the chunk count: 0, 1, 2, 4, 8, ..."""
    bounds = [0]
    while bounds[-1] < n_chunks:
        bounds.append(min(n_chunks, max(1, 2 * bounds[-1])))
    return bounds


def _part_view(made: tuple[Corpus, sp.csr_matrix, np.ndarray] | None, part: slice, mentees: tuple[Mentee, ...],
               facts: Facts, excluded: tuple[np.ndarray, np.ndarray], tables: Tables
               ) -> tuple[_Features, Tables, int]:
    """A part's features (rows from 0) and structured criteria, and the row of the round it starts at."""
    if made is None:
        raise RuntimeError("a part was read before it was analysed")
    corpus, sparse, dense = made
    index = np.arange(part.start, part.stop)
    ex_rows, ex_cols = excluded
    inside = (ex_rows >= part.start) & (ex_rows < part.stop)
    features = _Features(mentees[part], sparse, dense, facts.rows(index),
                         corpus.nonempty(), (ex_rows[inside] - part.start, ex_cols[inside]))
    part_tables = Tables(tables.tables, tuple(inverse[part] for inverse in tables.inverse), tables.den[part])
    return features, part_tables, part.start


class _Parts:
    """The documents of several corpora in a row, read as one batch's."""

    def __init__(self, corpora: list[Corpus], starts: list[int]) -> None:
        self.corpora, self.starts = corpora, starts

    def document(self, i: int) -> Document:
        part = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.corpora[part].document(i - self.starts[part])
