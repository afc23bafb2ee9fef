"""The fitted matcher: scores, candidates, suggestions and explanations."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus, Document, analyse_many
from matching.criteria import DEFAULT_WEIGHTS, Facts, Tables, criterion_scores, structured_tables
from matching.encoder import TextEncoder
from matching.explain import pair_reasons
from matching.languages import normalize_language
from matching.model import Mentee, Mentor, Suggestion
from matching.parallel import map_chunks, map_halves
from matching.topk import FloorEntries, best_of_floor_entries, column_best, floor_entries, to_csr

__all__ = ["Matcher"]

# Rows scored at once: a chunk holds about 4M float32 cells (16 MB) whatever the size.
_CHUNK_CELLS = 4_000_000
# Largest dense word block of a batch (see TextEncoder.word_block).
_WORD_BLOCK_BYTES = 256 * 2**20
# Rows selected from at once: about 512K cells (2 MB), which stay in the cache between passes.
_BLOCK_CELLS = 512 * 1024


@dataclass(frozen=True)
class _Batch:
    """Mentees prepared for scoring."""

    mentees: tuple[Mentee, ...]
    corpus: Corpus
    sparse: sp.csr_matrix
    dense: np.ndarray
    facts: Facts
    has_text: np.ndarray
    excluded: tuple[np.ndarray, np.ndarray]  # (row, mentor column) pairs never allowed

    @functools.cached_property
    def first_document(self) -> Document:
        """The first mentee's analysed text: a batch of one is explained pair after pair."""
        return self.corpus.document(0)


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


class Matcher:
    """Scores mentees against a fitted pool of mentors.

    The score of an allowed pair is ``sum(w[c] * s[c]) / sum(w[c])`` over the
    criteria ``c`` the mentee filled in (``text`` counts when the mentee wrote
    anything), where ``s["text"] = sqrt(text_similarity)`` and the structured
    criteria are described in :mod:`matching.criteria`. Default weights are
    ``DEFAULT_WEIGHTS`` (text 0.6, language, timezone, experience and industry
    0.1 each). Pairs that break a hard constraint score ``-inf``: no shared
    language when both gave languages, a time-zone gap over
    ``max_timezone_gap_hours``, a mentor in the mentee's ``exclude`` set, or a
    mentor with capacity 0.

    Parameters
    ----------
    weights : mapping, optional
        Overrides of ``DEFAULT_WEIGHTS`` (non-negative; missing keys keep their default).
    max_timezone_gap_hours : float, optional
        Hard limit on the clock difference; None means no limit.

    Examples
    --------
    >>> m = Matcher().fit([Mentor(id="a", expertise=["people management"], languages=["en"]),
    ...                    Mentor(id="b", expertise=["kubernetes"], languages=["en"])])
    >>> [s.mentor_id for s in m.suggest(Mentee(id=1, goals="leading a team", languages=["en"]))]
    ['a', 'b']
    """

    def __init__(self, weights: Mapping[str, float] | None = None,
                 max_timezone_gap_hours: float | None = None) -> None:
        self.weights = weights
        self.max_timezone_gap_hours = max_timezone_gap_hours

    def fit(self, mentors: Sequence[Mentor]) -> Matcher:
        """Learn the text space and encode the mentors' facts; returns ``self``."""
        mentors = tuple(mentors)
        for m in mentors:
            if not isinstance(m, Mentor):
                raise ValueError(f"mentors must be Mentor records, got {m!r}")
        if not mentors:
            raise ValueError("need at least one mentor, got none")
        ids = [m.id for m in mentors]
        if len(set(ids)) != len(ids):
            raise ValueError("mentor ids must be unique, got duplicates")
        unknown = set(self.weights or {}) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown weight names {sorted(unknown)}; known: {sorted(DEFAULT_WEIGHTS)}")
        self.weights_ = {**DEFAULT_WEIGHTS, **(self.weights or {})}
        if any(not (w >= 0 and np.isfinite(w)) for w in self.weights_.values()):
            raise ValueError(f"weights must be finite and non-negative, got {self.weights_}")
        gap = self.max_timezone_gap_hours
        if gap is not None and not (isinstance(gap, int | float) and gap >= 0):
            raise ValueError(f"max_timezone_gap_hours must be None or >= 0, got {gap!r}")
        self.mentors_ = mentors
        self.mentor_index_ = {mid: j for j, mid in enumerate(ids)}
        self.mentor_corpus_ = analyse_many([m.about for m in mentors], [m.expertise for m in mentors])
        self.encoder_ = TextEncoder().fit(self.mentor_corpus_)
        langs = sorted({normalize_language(c) for m in mentors for c in m.languages} - {""})
        inds = sorted({m.industry.lower() for m in mentors if m.industry})
        self.languages_ = {code: b for b, code in enumerate(langs)}
        self.industries_ = {name: i for i, name in enumerate(inds)}
        self.facts_ = Facts.encode(mentors, self.languages_, self.industries_)
        self.capacity_ = np.array([m.capacity for m in mentors], dtype=np.int64)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "encoder_"):
            raise ValueError("this Matcher is not fitted yet; call fit(mentors) first")

    def _prepare(self, mentees: Sequence[Mentee]) -> _Batch:
        self._check_fitted()
        mentees = tuple(mentees)
        for e in mentees:
            if not isinstance(e, Mentee):
                raise ValueError(f"mentees must be Mentee records, got {e!r}")
        corpus = analyse_many([e.goals for e in mentees], [e.skills_to_grow for e in mentees])
        sparse, dense = self.encoder_.transform(corpus)
        pairs = [(i, self.mentor_index_[x]) for i, e in enumerate(mentees)
                 for x in e.exclude if x in self.mentor_index_]
        rows, cols = (np.array(p, dtype=np.int64) for p in zip(*pairs, strict=True)) if pairs else (
            np.empty(0, np.int64), np.empty(0, np.int64))
        return _Batch(mentees, corpus, sparse, dense,
                      Facts.encode(mentees, self.languages_, self.industries_),
                      corpus.nonempty(), (rows, cols))

    def _parts(self, batch: _Batch, i: int, cols: np.ndarray) -> dict:
        """Every ingredient of the scores of mentee ``i`` against mentor columns ``cols`` (for reasons)."""
        rows = slice(i, i + 1)
        text = self.encoder_.similarity(batch.sparse[rows], batch.dense[rows], cols)
        scores, known, forbidden = criterion_scores(
            batch.facts.rows(rows), self.facts_.rows(cols), self.max_timezone_gap_hours)
        scores["text"] = calibrate_text(text.astype(float))
        known["text"] = batch.has_text[rows, None]
        w = self.weights_
        num = sum(w[c] * np.where(known[c], scores[c], 0.0) for c in scores)
        den = sum(w[c] * known[c] for c in scores)
        total = np.minimum(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 1.0)
        ex_rows, ex_cols = batch.excluded
        forbidden |= (self.capacity_[cols] == 0)[None, :] | np.isin(cols, ex_cols[ex_rows == i])[None, :]
        total[forbidden] = -np.inf
        return {"total": total, "text": text, "scores": scores, "known": known}

    def _tables(self, batch: _Batch) -> Tables:
        return structured_tables(batch.facts, self.facts_, self.weights_,
                                 self.max_timezone_gap_hours, self.capacity_ == 0)

    def _total(self, batch: _Batch, tables: Tables, rows: slice, words: tuple | None = None) -> np.ndarray:
        """Scores (float32) of a block of mentees against all mentors: the numbers of ``_parts``.

        ``words`` is the batch's :meth:`TextEncoder.word_block`, for big batches.
        """
        (total,) = self._total_blocks(batch, tables, self._chunk_terms(batch, tables, rows, words), rows, None)
        return total

    def _chunk_terms(self, batch: _Batch, tables: Tables, rows: slice, words: tuple | None) -> _ChunkTerms:
        """The terms of the scores of ``rows`` computed on all of them at once (see :class:`_ChunkTerms`)."""
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
            sparse = (words[0] if words else batch.sparse)[rows].copy()
            # Row scaling in place: a diagonal-matrix product would walk every word
            # column (a millisecond per suggestion on rich text) for the same numbers.
            sparse.data *= np.repeat(factor, np.diff(sparse.indptr))
            text = self.encoder_.similarity(sparse, batch.dense[rows] * factor[:, None],
                                            words=words[1] if words else None)
        return _ChunkTerms(rows.start, scale.astype(np.float32)[:, None], text)

    def _total_blocks(self, batch: _Batch, tables: Tables, terms: _ChunkTerms, rows: slice,
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

    def _words(self, batch: _Batch) -> tuple | None:
        """The batch's dense word block when there are enough rows for it to pay and it stays small."""
        return self.encoder_.word_block(batch.sparse, _WORD_BLOCK_BYTES) if len(batch.mentees) > 64 else None

    def _chunks(self, n: int) -> list[slice]:
        step = max(1, _CHUNK_CELLS // max(1, len(self.mentors_)))
        return [slice(s, min(n, s + step)) for s in range(0, n, step)]

    def score(self, mentees: Sequence[Mentee]) -> np.ndarray:
        """Calibrated scores, shape (n_mentees, n_mentors), in [0, 1]; ``-inf`` = not allowed.

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=1, languages=["de"]), Mentor(id=2, languages=["en"])])
        >>> m.score([Mentee(id=7, languages=["en"])]).tolist()
        [[-inf, 1.0]]
        """
        batch = self._prepare(mentees)
        out = np.empty((len(batch.mentees), len(self.mentors_)))
        chunks, tables, words = self._chunks(len(batch.mentees)), self._tables(batch), self._words(batch)
        for rows, block in zip(chunks, map_chunks(lambda r: self._total(batch, tables, r, words), chunks),
                               strict=True):
            out[rows] = block
        return out

    def text_similarity(self, mentees: Sequence[Mentee]) -> np.ndarray:
        """The pure text similarity in [0, 1] (no structured criteria, no constraints).

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=1, about="I coach new managers"), Mentor(id=2, about="Rust")])
        >>> sim = m.text_similarity([Mentee(id=7, goals="becoming a manager")])
        >>> bool(sim[0, 0] > sim[0, 1])
        True
        """
        batch = self._prepare(mentees)
        return np.vstack([self.encoder_.similarity(batch.sparse[r], batch.dense[r]).astype(float)
                          for r in self._chunks(len(batch.mentees))] or [np.empty((0, len(self.mentors_)))])

    def candidates(self, mentees: Sequence[Mentee], k: int = 50) -> sp.csr_matrix:
        """The ``k`` best allowed mentors of each mentee as a sparse score matrix.

        A mentee keeps exactly ``k`` mentors even when many tie (someone who
        wrote nothing scores the same with everyone); ties are spread over
        the pool, consecutive mentees taking consecutive runs of mentors, so
        such mentees do not all compete for the same few seats.
        Scores are computed in row chunks, so memory stays bounded for large
        rounds. Each mentor also keeps some of its best mentees (twice the
        largest capacity, at least 5, at most 64; on big rounds the best of
        each chunk) so that less popular mentors still have edges; with them,
        assigning on the candidates stays close to the optimum on the full
        matrix.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_mentees, n_mentors)
            Absent entries are pairs not proposed; stored entries (zeros
            included) are allowed pairs with their score.

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=i, expertise=[t]) for i, t in enumerate(["ux", "ml", "sql"])])
        >>> m.candidates([Mentee(id=7, skills_to_grow=["ML"])], k=1).shape
        (1, 3)
        """
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        return self._candidates(self._prepare(mentees), int(k))

    def _candidates(self, batch: _Batch, k: int) -> sp.csr_matrix:
        """:meth:`candidates` of a prepared batch."""
        n, n_mentors = len(batch.mentees), len(self.mentors_)
        per_mentor = min(n, 64, max(5, 2 * int(self.capacity_.max(initial=0))))
        tables, chunks, words = self._tables(batch), self._chunks(n), self._words(batch)
        # Each chunk offers its best few mentees per mentor (one when there are
        # many chunks); the mentor keeps the best of those offers.
        per_chunk = -(-per_mentor // max(1, len(chunks)))

        block_rows = max(1, _BLOCK_CELLS // n_mentors)

        # Per chunk: the text product, then each half's entries over the
        # floors (see matching.topk), then the chunk's exact cuts among them.
        def chunk_terms(chunk: slice) -> _ChunkTerms:
            return self._chunk_terms(batch, tables, chunk, words)

        def part_entries(terms: _ChunkTerms, part: slice) -> FloorEntries:
            blocks = self._total_blocks(batch, tables, terms, part, block_rows)
            return floor_entries(blocks, n_mentors, k, per_chunk, first_row=part.start,
                                 chunk=(terms.start, len(terms.scale)))

        parts = []
        for chunk, entries in zip(chunks, map_halves(chunk_terms, part_entries, chunks), strict=True):
            r, c, v, by_row, by_col = best_of_floor_entries(entries, k, per_chunk, chunk.start)
            parts.append((r + chunk.start, c, v, by_row, by_col))
        parts = list(zip(*parts, strict=True)) or [[np.empty(0, np.int64)]] * 5
        rows, cols, values, by_row, by_col = (np.concatenate(p) for p in parts)
        offered = np.flatnonzero(by_col)
        by_row[offered] |= column_best(rows[offered], cols[offered], values[offered], per_mentor)
        return to_csr(rows[by_row], cols[by_row], values[by_row], (n, n_mentors))

    def suggest(self, mentee: Mentee, k: int = 5) -> list[Suggestion]:
        """The ``k`` best allowed mentors for one mentee, best first, with reasons.

        Ties are broken by mentor order, so results are reproducible.

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=1, expertise=["ux"], timezone="Europe/Paris"),
        ...                    Mentor(id=2, expertise=["sql"])])
        >>> s = m.suggest(Mentee(id=7, skills_to_grow=["UX design"], timezone="Europe/Berlin"), k=1)
        >>> s[0].mentor_id, s[0].reasons
        (1, ('You both mention ux design', 'Same time zone'))
        """
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        batch = self._prepare([mentee])
        total = self._total(batch, self._tables(batch), slice(0, 1))[0]
        allowed = np.flatnonzero(np.isfinite(total))
        if len(allowed) > k:  # keep everything tied with the k-th best, then sort those few
            kth = np.partition(total[allowed], len(allowed) - k)[len(allowed) - k]
            allowed = allowed[total[allowed] >= kth]
        best = allowed[np.lexsort((allowed, -total[allowed]))][:k]
        parts = self._parts(batch, 0, best)
        return [Suggestion(self.mentors_[j].id, float(total[j]), self._reasons(batch, parts, j, at))
                for at, j in enumerate(best)]

    def explain(self, mentee: Mentee, j: int) -> list[str]:
        """Reasons for pairing ``mentee`` with the mentor in column ``j`` (e.g. a round proposal).

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=1, languages=["de", "en"], years_experience=12)])
        >>> m.explain(Mentee(id=7, languages=["de"], years_experience=3), 0)
        ['Both speak German', '12 years of experience']
        """
        self._check_fitted()
        if isinstance(j, bool) or not isinstance(j, int | np.integer) or not 0 <= j < len(self.mentors_):
            raise ValueError(f"j must be a mentor column in [0, {len(self.mentors_)}), got {j!r}")
        batch = self._prepare([mentee])
        parts = self._parts(batch, 0, np.array([int(j)]))
        return self._reasons(batch, parts, int(j), 0)

    def _reasons(self, batch: _Batch, parts: dict, j: int, at: int) -> list[str]:
        """Reasons for the batch's only mentee and mentor ``j``, found at column ``at`` of ``parts``."""
        if not np.isfinite(parts["total"][0, at]):
            return []
        return pair_reasons(parts, (0, at), self.weights_, batch.mentees[0], self.mentors_[j],
                            batch.first_document, self.mentor_corpus_.document(j), self.encoder_)

    def round(self, mentees: Sequence[Mentee], capacity: np.ndarray, *, k: int = 50,
              min_score: float | None = None, objective: str = "score", equity: float = 0.0) -> Round:
        """The optimal round over every allowed pair, solved from ``k`` candidates per mentee.

        See :func:`matching.rounds.certified_round` (the returned :class:`~matching.rounds.Round`
        says how many solves and extra pairs proving it took).
        """
        from matching.rounds import certified_round  # matching.rounds needs the Matcher type only

        return certified_round(self, mentees, capacity, k=k, min_score=min_score, objective=objective,
                               equity=equity)
