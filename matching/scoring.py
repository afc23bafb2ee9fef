"""Scoring machinery shared by the matcher's entry points: prepared batches, chunks and blocks of scores.

:class:`Scorer` holds what :class:`matching.matcher.Matcher` computes for
every entry point (``score``, ``candidates``, ``suggest``, ``explain``):
mentees prepared once, the text product of a chunk of rows at once, and the
rest of the score element by element, block by block.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus, analyse_many
from matching.criteria import Facts, Tables, criterion_scores, structured_tables
from matching.encoder import MentorColumns, TextEncoder
from matching.model import Mentee, Mentor
from matching.scratch import CHUNK_CELLS

__all__ = ["BLOCK_CELLS", "Scorer", "calibrate_text", "positive_k"]

# Rows scored at once: a chunk holds about 4M float32 cells (16 MB) whatever the size.
_CHUNK_CELLS = CHUNK_CELLS
# Rows looked at at once: about 512K cells (2 MB), which stay in the cache between passes.
BLOCK_CELLS = 512 * 1024
# Pairs whose structured criteria are computed together (as a block of that many squared).
_PAIRS_AT_ONCE = 64


@dataclass(frozen=True)
class _Features:
    """What scoring reads of a batch of mentees (their text as features, their facts)."""

    mentees: tuple[Mentee, ...]
    sparse: sp.csr_matrix
    dense: np.ndarray
    facts: Facts
    has_text: np.ndarray
    excluded: tuple[np.ndarray, np.ndarray]  # (row, mentor column) pairs never allowed

    def rows(self, index: np.ndarray, cols: np.ndarray | None = None) -> _Features:
        """The features of some of the rows (sorted, distinct), computed once with the whole batch.

        Re-analysing those mentees' text would give features a rounding
        apart from the batch's (the latent projection is a matrix product),
        and so scores a rounding apart from those already used. With ``cols``
        (sorted mentor columns), exclusions are kept at their position among them.
        """
        ex_rows, ex_cols = self.excluded
        at = np.searchsorted(index, ex_rows)
        hit = at < len(index)
        hit[hit] = index[at[hit]] == ex_rows[hit]
        at, ex_cols = at[hit], ex_cols[hit]
        if cols is not None:
            where = np.searchsorted(cols, ex_cols)
            inside = where < len(cols)
            inside[inside] = cols[where[inside]] == ex_cols[inside]
            at, ex_cols = at[inside], where[inside]
        return _Features(tuple(self.mentees[i] for i in index.tolist()), self.sparse[index],
                         self.dense[index], self.facts.rows(index), self.has_text[index], (at, ex_cols))


@dataclass(frozen=True)
class _Columns:
    """Some mentors' text features, for scoring rows against those mentors only."""

    cols: np.ndarray  # sorted mentor columns
    mentors: MentorColumns


@dataclass(frozen=True)
class _Batch(_Features):
    """Mentees prepared for scoring, with their analysed text (for reasons)."""

    corpus: Corpus


@dataclass(frozen=True)
class _ChunkTerms:
    """The terms of a chunk's scores computed on all its rows at once.

    The text similarity is one product per chunk: BLAS gives results that
    depend (in the last bits) on the shape of the product, so splitting it
    would change the scores. The rest of the score is computed element by
    element, in blocks of any size.
    """

    start: int  # first row of the chunk
    scale: np.ndarray  # (rows, 1) float32: 1 / total weight of the criteria each mentee filled in
    # (rows, mentors) float32 text similarity scaled for calibration, or None (no text term);
    # calibrated in place as blocks are scored, so each row is scored once.
    text: np.ndarray | None


def calibrate_text(similarity: np.ndarray) -> np.ndarray:
    """Map a text similarity in [0, 1] to the text criterion score: its square root.

    Cosines of genuinely related profiles sit around 0.2-0.6; the square root
    spreads them over the upper half so a strong match can read as "87%".

    Examples
    --------
    >>> calibrate_text(np.array([0.0, 0.25, 1.0])).tolist()  # in place
    [0.0, 0.5, 1.0]
    """
    return np.sqrt(similarity, out=similarity)


def positive_k(k: object) -> int:
    """``k`` (mentors per mentee) as an int, or ValueError when it is not a positive integer.

    Examples
    --------
    >>> positive_k(5)
    5
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


class Scorer:
    """The scoring steps of a fitted matcher; :class:`matching.matcher.Matcher` sets the fitted attributes."""

    # Set by ``Matcher.__init__`` and ``Matcher.fit``.
    max_timezone_gap_hours: float | None
    reference_date: date | datetime | None
    weights_: dict[str, float]
    mentors_: tuple[Mentor, ...]
    mentor_index_: dict[Hashable, int]
    mentor_corpus_: Corpus
    encoder_: TextEncoder
    languages_: dict[str, int]
    industries_: dict[str, int]
    facts_: Facts
    capacity_: np.ndarray

    def _check_fitted(self) -> None:
        if not hasattr(self, "encoder_"):
            raise ValueError("this Matcher is not fitted yet; call fit(mentors) first")

    def _prepare(self, mentees: Sequence[Mentee]) -> _Batch:
        mentees = self._checked(mentees)
        return self._batch(mentees, Facts.encode(mentees, self.languages_, self.industries_, on=self.reference_date))

    def _prepare_with_tables(self, mentees: Sequence[Mentee]) -> tuple[_Batch, Tables]:
        """:meth:`_prepare` and :meth:`_tables` of the batch, for a round.

        The structured criteria are weighed on a thread of their own while the
        text is analysed: numpy's work there and the analysis's Python share
        the cores.
        """
        mentees = self._checked(mentees)
        facts = Facts.encode(mentees, self.languages_, self.industries_, on=self.reference_date)
        with ThreadPoolExecutor(max_workers=1) as pool:
            tables = pool.submit(self._weigh, facts)
            return self._batch(mentees, facts), tables.result()

    def _checked(self, mentees: Sequence[Mentee]) -> tuple[Mentee, ...]:
        self._check_fitted()
        mentees = tuple(mentees)
        for e in mentees:
            if not isinstance(e, Mentee):
                raise ValueError(f"mentees must be Mentee records, got {e!r}")
        return mentees

    def _batch(self, mentees: tuple[Mentee, ...], facts: Facts) -> _Batch:
        """Mentees with their facts encoded, their text analysed and vectorised, their exclusions listed."""
        corpus = analyse_many([e.goals for e in mentees], [e.skills_to_grow for e in mentees])
        sparse, dense = self.encoder_.transform(corpus)
        pairs = [(i, self.mentor_index_[x]) for i, e in enumerate(mentees)
                 for x in e.exclude if x in self.mentor_index_]
        rows, cols = (np.array(p, dtype=np.int64) for p in zip(*pairs, strict=True)) if pairs else (
            np.empty(0, np.int64), np.empty(0, np.int64))
        return _Batch(mentees, sparse, dense, facts, corpus.nonempty(), (rows, cols), corpus)

    def _pair_parts(self, batch: _Features, rows: np.ndarray, cols: np.ndarray) -> dict:
        """Every ingredient of the scores of the pairs ``(rows[p], cols[p])`` (for reasons), shape (pairs, 1).

        Each pair's text similarity is its own row times its own column, never
        part of a matrix product, so its numbers do not depend on the pairs
        explained with it: one pair or a round's thousands, the same reasons.
        """
        enc, n_pairs = self.encoder_, len(rows)
        text = np.einsum("ij,ij->i", batch.dense[rows], np.ascontiguousarray(enc.mentor_dense_t_.T[cols]))
        text += np.asarray(batch.sparse[rows].multiply(enc.mentor_sparse_[cols]).sum(axis=1),
                           dtype=np.float32).reshape(n_pairs)
        np.clip(text, 0.0, 1.0, out=text)
        # The structured criteria of pairs: the diagonals of small mentee x mentor blocks
        # (the same formulas as every score, at a few thousand cells per block).
        found: list[tuple[dict, dict, np.ndarray]] = []
        for start in range(0, n_pairs, _PAIRS_AT_ONCE):
            at = slice(start, start + _PAIRS_AT_ONCE)
            scores, known, forbidden = criterion_scores(
                batch.facts.rows(rows[at]), self.facts_.rows(cols[at]), self.max_timezone_gap_hours)
            found.append(({c: np.diagonal(v) for c, v in scores.items()}, {c: v[:, 0] for c, v in known.items()},
                          np.diagonal(forbidden)))
        criteria = found[0][0].keys() if found else ()
        scores = {c: np.concatenate([f[0][c] for f in found]) for c in criteria}
        known = {c: np.concatenate([f[1][c] for f in found]) for c in criteria}
        forbidden = np.concatenate([f[2] for f in found]) if found else np.zeros(0, bool)
        scores["text"] = calibrate_text(text.astype(float))
        known["text"] = batch.has_text[rows]
        w = self.weights_
        num = sum(w[c] * np.where(known[c], scores[c], 0.0) for c in scores)
        den = sum(w[c] * known[c] for c in scores)
        total = np.minimum(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 1.0)
        ex_rows, ex_cols = batch.excluded
        n_mentors = len(self.mentors_)
        forbidden |= (self.capacity_[cols] == 0) | np.isin(rows * n_mentors + cols, ex_rows * n_mentors + ex_cols)
        total[forbidden] = -np.inf
        return {"total": total[:, None], "text": text[:, None], "scores": {c: v[:, None] for c, v in scores.items()},
                "known": {c: v[:, None] for c, v in known.items()}}

    def _tables(self, batch: _Features) -> Tables:
        return self._weigh(batch.facts)

    def _weigh(self, facts: Facts) -> Tables:
        """The structured criteria of mentees with these facts against the fitted mentors."""
        return structured_tables(facts, self.facts_, self.weights_, self.max_timezone_gap_hours, self.capacity_ == 0)

    def _columns(self, cols: np.ndarray) -> _Columns:
        """The text features of the mentors ``cols`` (sorted), laid out for :meth:`_chunk_terms`."""
        return _Columns(cols, self.encoder_.mentors(cols))

    def _total(self, batch: _Features, tables: Tables, rows: slice, words: tuple | None = None) -> np.ndarray:
        """Scores (float32) of a block of mentees against all mentors: the numbers of :meth:`_pair_parts`.

        ``words`` is what :meth:`_words` gave for the batch.
        """
        (total,) = self._total_blocks(batch, tables, self._chunk_terms(batch, tables, rows, words), rows, None)
        return total

    def _chunk_terms(self, batch: _Features, tables: Tables, rows: slice, words: tuple | None,
                     columns: _Columns | None = None, out: np.ndarray | None = None) -> _ChunkTerms:
        """The terms of the scores of ``rows`` computed on all of them at once (see :class:`_ChunkTerms`).

        Against every mentor, or only ``columns`` (with ``tables`` of those mentors). ``words`` is
        what :meth:`_words` gave for the batch; ``out``, a zeroed float32 array of the text
        term's shape, is where the text term is written.
        """
        w = self.weights_
        has_text = batch.has_text[rows]
        den = tables.den[rows] + w["text"] * has_text
        # a mentee with nothing to score on gets 0 everywhere it is allowed
        scale = np.divide(1.0, den, out=np.ones_like(den), where=den > 0)
        text = None
        if w["text"] > 0 and has_text.any():
            # w * sqrt(t) / den == sqrt(t * (w / den)**2): scaling the mentee's
            # features by (w / den)**2 saves a pass over the block.
            factor = ((w["text"] * has_text * scale) ** 2).astype(np.float32)
            sparse = batch.sparse[rows].copy()
            # Row scaling in place: a diagonal-matrix product would walk every word
            # column (a millisecond per suggestion on rich text) for the same numbers.
            sparse.data *= np.repeat(factor, np.diff(sparse.indptr))
            dense = batch.dense[rows] * factor[:, None]
            text = self.encoder_.similarity(sparse, dense, mentors=None if columns is None else columns.mentors,
                                            out=out)
        return _ChunkTerms(rows.start, scale.astype(np.float32)[:, None], text)

    def _total_blocks(self, batch: _Features, tables: Tables, terms: _ChunkTerms, rows: slice,
                      block_rows: int | None) -> Iterator[np.ndarray]:
        """:meth:`_total` of ``rows`` (within the chunk of ``terms``), ``block_rows`` at a time (None: at once).

        Each block takes a few passes (gathers, scale, text, exclusions)
        that are cheap while it fits in the cache, and the caller reads it
        there too. Element by element, blocks give the numbers of a whole
        chunk. Each row of ``terms`` can be scored once (its text is
        calibrated in place).
        """
        ex_rows, ex_cols = batch.excluded
        step = max(1, block_rows or rows.stop - rows.start)
        for start in range(rows.start, max(rows.stop, rows.start + 1), step):
            block = slice(start, min(rows.stop, start + step))
            local = slice(block.start - terms.start, block.stop - terms.start)
            total = tables.block(block)
            total *= terms.scale[local]
            if terms.text is not None:
                total += calibrate_text(terms.text[local])
            # float32 rounding of a perfect pair can land an ulp above 1 (custom weights)
            np.minimum(total, 1.0, out=total)
            hit = (ex_rows >= block.start) & (ex_rows < block.stop)
            total[ex_rows[hit] - block.start, ex_cols[hit]] = -np.inf
            yield total

    def _words(self, batch: _Features) -> tuple | None:
        """None: a batch needs no layout of its own, the encoder holds the mentors' side of every product."""
        return None

    def _chunks(self, n: int) -> list[slice]:
        step = max(1, _CHUNK_CELLS // max(1, len(self.mentors_)))
        return [slice(s, min(n, s + step)) for s in range(0, n, step)]
