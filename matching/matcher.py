"""The fitted matcher: scores, candidates, suggestions and explanations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import numpy as np
import scipy.sparse as sp

from matching.corpus import Document, analyse_many
from matching.criteria import DEFAULT_WEIGHTS, Facts, Tables
from matching.encoder import TextEncoder
from matching.explain import reasons_of_pairs
from matching.languages import normalize_language
from matching.lines import column_best
from matching.model import Mentee, Mentor, Suggestion
from matching.parallel import map_chunks, map_halves
from matching.rounds import Round, certified_round
from matching.scoring import BLOCK_CELLS, Scorer, _Batch, _ChunkTerms, _Features, calibrate_text, positive_k
from matching.scratch import WORKSPACE
from matching.topk import FloorEntries, best_of_floor_entries, floor_entries, to_csr
from matching.zones import as_instant

__all__ = ["Matcher", "calibrate_text"]


class Matcher(Scorer):
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
    reference_date : date or datetime, optional
        When clocks are compared (a date of the program): Berlin and Lagos share a
        clock in winter, not in summer. None means the fixed January instant of
        :mod:`matching.zones`, so results never move with the calendar.

    Examples
    --------
    >>> m = Matcher().fit([Mentor(id="a", expertise=["people management"], languages=["en"]),
    ...                    Mentor(id="b", expertise=["kubernetes"], languages=["en"])])
    >>> [s.mentor_id for s in m.suggest(Mentee(id=1, goals="leading a team", languages=["en"]))]
    ['a', 'b']
    """

    def __init__(self, weights: Mapping[str, float] | None = None,
                 max_timezone_gap_hours: float | None = None,
                 reference_date: date | datetime | None = None) -> None:
        self.weights = weights
        self.max_timezone_gap_hours = max_timezone_gap_hours
        self.reference_date = reference_date

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
        spoken = {m.languages for m in mentors}  # few distinct lists: each normalised once
        langs = sorted({normalize_language(c) for given in spoken for c in given} - {""})
        inds = sorted({m.industry.lower() for m in mentors if m.industry})
        self.languages_ = {code: b for b, code in enumerate(langs)}
        self.industries_ = {name: i for i, name in enumerate(inds)}
        self.facts_ = Facts.encode(mentors, self.languages_, self.industries_,
                                   on=as_instant(self.reference_date))
        self.capacity_ = np.array([m.capacity for m in mentors], dtype=np.int64)
        return self

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
        return self._candidates(self._prepare(mentees), positive_k(k))[0]

    def _candidates(self, batch: _Features, k: int, tables: Tables | None = None,
                    ranks: tuple[int, ...] = ()) -> tuple[sp.csr_matrix, np.ndarray]:
        """:meth:`candidates` of a prepared batch (``tables``: its structured criteria, when known).

        Also each mentee's score at each of ``ranks`` (at most ``k``) among all
        its allowed mentors, one row per rank, found with the ``k``-th.
        """
        n, n_mentors = len(batch.mentees), len(self.mentors_)
        per_mentor = min(n, 64, max(5, 2 * int(self.capacity_.max(initial=0))))
        tables = self._tables(batch) if tables is None else tables
        chunks, words = self._chunks(n), self._words(batch)
        # Each chunk offers its best few mentees per mentor (one when there are
        # many chunks); the mentor keeps the best of those offers.
        per_chunk = -(-per_mentor // max(1, len(chunks)))

        block_rows = max(1, BLOCK_CELLS // n_mentors)

        # Per chunk: the text product, then each half's entries over the
        # floors (see matching.topk), then the chunk's exact cuts among them.
        # The text products of chunks looked at are written over by later ones
        # (and by the next round's: see matching.scratch).
        def chunk_terms(chunk: slice) -> _ChunkTerms:
            out = WORKSPACE.take((chunk.stop - chunk.start, n_mentors), np.float32)
            terms = self._chunk_terms(batch, tables, chunk, words, out=out)
            if terms.text is not out:
                WORKSPACE.give(out)
            return terms

        def part_entries(terms: _ChunkTerms, part: slice) -> FloorEntries:
            blocks = self._total_blocks(batch, tables, terms, part, block_rows)
            return floor_entries(blocks, n_mentors, k, per_chunk, first_row=part.start,
                                 chunk=(terms.start, len(terms.scale)))

        def done(terms: _ChunkTerms) -> None:
            WORKSPACE.give(terms.text)

        found: list[tuple[np.ndarray, ...]] = []
        cuts = [np.full((len(ranks), 0), -np.inf, np.float32)]
        for chunk, entries in zip(chunks, map_halves(chunk_terms, part_entries, chunks, done), strict=True):
            r, c, v, by_row, by_col, *at_ranks = best_of_floor_entries(entries, k, per_chunk, chunk.start, ranks)
            found.append((r + chunk.start, c, v, by_row, by_col))
            cuts.extend(at_ranks)
        columns = list(zip(*found, strict=True)) or [(np.empty(0, np.int64),)] * 5
        rows, cols, values, by_row, by_col = (np.concatenate(p) for p in columns)
        offered = np.flatnonzero(by_col)
        by_row[offered] |= column_best(rows[offered], cols[offered], values[offered], per_mentor)
        return to_csr(rows[by_row], cols[by_row], values[by_row], (n, n_mentors)), np.hstack(cuts)

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
        k = positive_k(k)
        batch = self._prepare([mentee])
        total = self._total(batch, self._tables(batch), slice(0, 1))[0]
        allowed = np.flatnonzero(np.isfinite(total))
        if len(allowed) > k:  # keep everything tied with the k-th best, then sort those few
            kth = np.partition(total[allowed], len(allowed) - k)[len(allowed) - k]
            allowed = allowed[total[allowed] >= kth]
        best = allowed[np.lexsort((allowed, -total[allowed]))][:k]
        reasons = self._explain_pairs(batch, np.zeros(len(best), np.int64), best)
        return [Suggestion(self.mentors_[j].id, float(total[j]), tuple(why))
                for j, why in zip(best.tolist(), reasons, strict=True)]

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
        return self._explain_pairs(self._prepare([mentee]), np.zeros(1, np.int64), np.array([int(j)]))[0]

    def explain_many(self, mentees: Sequence[Mentee], columns: Sequence[int]) -> list[list[str]]:
        """Reasons for many pairs at once: mentee ``i`` with the mentor in ``columns[i]``.

        The same reasons as :meth:`explain`, computed for all pairs together: the
        mentees' text is analysed in one pass and the scores of the pairs in a few
        array operations, so a round explains its thousands of proposals at once.

        Examples
        --------
        >>> m = Matcher().fit([Mentor(id=1, languages=["de"]), Mentor(id=2, languages=["en"])])
        >>> m.explain_many([Mentee(id=7, languages=["en"]), Mentee(id=8, languages=["de"])], [1, 0])
        [['Both speak English'], ['Both speak German']]
        """
        self._check_fitted()
        mentees = tuple(mentees)
        cols = np.asarray(columns, dtype=np.int64).reshape(-1)
        if len(cols) != len(mentees) or np.any((cols < 0) | (cols >= len(self.mentors_))):
            raise ValueError(f"columns must be one mentor column in [0, {len(self.mentors_)}) "
                             "per mentee")
        if not mentees:
            return []
        return self._explain_pairs(self._prepare(mentees), np.arange(len(mentees)), cols)

    def _explain_pairs(self, batch: _Batch, rows: np.ndarray, cols: np.ndarray) -> list[list[str]]:
        """Reasons for the pairs ``(rows[p], cols[p])`` of a batch: the one path of every reason given."""
        row_list, col_list = rows.tolist(), cols.tolist()
        # a mentor proposed many times (or a mentee's several suggestions) is read once
        mentee_docs: dict[int, Document] = {}
        mentor_docs: dict[int, Document] = {}

        def documents(p: int) -> tuple[Document, Document]:
            i, j = row_list[p], col_list[p]
            if i not in mentee_docs:
                mentee_docs[i] = batch.corpus.document(i)
            if j not in mentor_docs:
                mentor_docs[j] = self.mentor_corpus_.document(j)
            return mentee_docs[i], mentor_docs[j]

        return reasons_of_pairs(self._pair_parts(batch, rows, cols), self.weights_,
                                [batch.mentees[i] for i in row_list], [self.mentors_[j] for j in col_list],
                                documents, self.encoder_)

    def round(self, mentees: Sequence[Mentee], capacity: np.ndarray, *, k: int = 50,
              min_score: float | None = None, objective: str = "score", equity: float = 0.0,
              explain: bool = False) -> Round:
        """The optimal round over every allowed pair, solved from ``k`` candidates per mentee.

        See :func:`matching.rounds.certified_round` (the returned :class:`~matching.rounds.Round`
        says how many solves and extra pairs proving it took, each mentee's score and best
        score, and with ``explain=True`` the reasons of each pair).
        """

        return certified_round(self, mentees, capacity, k=k, min_score=min_score, objective=objective,
                               equity=equity, explain=explain)
