"""Certified rounds: solved on each mentee's best candidates, proven optimal over every allowed pair.

:meth:`Matcher.candidates` keeps each mentee's ``k`` best mentors, and a round
solved on those alone can fall a little short of the best round over all
pairs. :func:`certified_round` closes the gap for certain: it solves on the
candidates, prices every mentor's seats from that solution
(:mod:`matching.duals`), reads the scores of the mentees whose other pairs
might beat those prices (from the batch the candidates were scored on, at
the mentors cheap enough to matter: :mod:`matching.reading`), adds the pairs
that do and solves again, until no allowed pair can improve the round. The result is the optimum of
:func:`matching.assign` on the full score matrix, in the same integer weights. What a
report needs besides (each mentee's score with its mentor, and its best score at a
mentor with seats) comes from the same candidates, with only the rows they cannot
settle scored again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from matching.assignment import as_capacity, as_options
from matching.certify import Model, certified_solve
from matching.criteria import Tables, row_groups
from matching.flow import row_divisor
from matching.lines import kth_per_line
from matching.model import Mentee
from matching.reading import Scan
from matching.rectangles import scan_rectangles
from matching.scoring import positive_k

if TYPE_CHECKING:
    from matching.matcher import Matcher

__all__ = ["Round", "certified_round", "kth_per_line"]

T = TypeVar("T")

#: Pairs of the first solve, about: each mentee's best 5 to 20 candidates (the others are
#: checked exactly, which costs far less). Two small solves cost less than one large: at
#: 10,000 mentees, 5 each and a second solve took half the time of 20 each (also two solves).
_FIRST_PAIRS = 50_000
#: Rows read together for the scores of pairs made outside the candidates (sorted by
#: mentor, so each group reads a few mentors).
_OWN_ROWS = 256


@dataclass(frozen=True)
class Round:
    """A matching round and how its optimality was proven.

    Attributes
    ----------
    assignment : ndarray of int, shape (n_mentees,)
        Mentor column per mentee, -1 when unmatched (as :func:`matching.assign` returns).
    certified : bool
        True when no allowed pair can improve the round: it is the optimum
        over every allowed pair, not only the candidates.
    passes : int
        Solves it took (1 when the candidates alone were optimal).
    extra_pairs : int
        Pairs solved on beyond the first solve's (candidates the first solve
        left out, and pairs outside the candidates).
    scores : ndarray of float, shape (n_mentees,)
        Each mentee's score with its mentor, NaN when unmatched.
    best : ndarray of float, shape (n_mentees,)
        Each mentee's best allowed score at a mentor with ``capacity > 0``,
        ``-inf`` when there is none. ``min_score`` does not apply: compared
        with it, it tells why an unmatched mentee was left out.
    reasons : list of list of str, or None
        With ``explain=True``: each mentee's reasons for its pair, as
        :meth:`Matcher.explain_many` gives them (``[]`` when unmatched).

    ``scores`` and ``best`` are the numbers of :meth:`Matcher.score` up to float32
    rounding (a score read from a subset of the mentors may differ in its last
    bits from the full product's).
    """

    assignment: np.ndarray
    certified: bool
    passes: int
    extra_pairs: int
    scores: np.ndarray
    best: np.ndarray
    reasons: list[list[str]] | None = None


def certified_round(matcher: Matcher, mentees: Sequence[Mentee], capacity: ArrayLike, *, k: int = 50,
                    min_score: float | None = None, objective: str = "score", equity: float = 0.0,
                    explain: bool = False) -> Round:
    """The optimal round over every allowed pair, found from each mentee's ``k`` best candidates.

    Parameters
    ----------
    matcher : Matcher
        Fitted on the round's mentors.
    mentees : sequence of Mentee
    capacity : array-like of int, shape (n_mentors,)
        As for :func:`matching.assign`.
    k : int
        Candidates per mentee (:meth:`Matcher.candidates`). Any ``k`` gives
        the same optimum; a larger one leaves fewer mentees to re-score (their
        ``k``-th score bounds the pairs left out) for a larger candidate graph.
    min_score, objective, equity
        As for :func:`matching.assign`.
    explain : bool
        Also give the reasons of each pair made, from the mentees' text as
        the round analysed it (explaining them afterwards analyses it again).

    Returns
    -------
    Round
        Its ``assignment`` has the total integer weight of ``assign(matcher.score(mentees), capacity, ...)``;
        its ``scores`` and ``best`` are read from the candidates, and only the
        rows these cannot settle are scored again.

    Examples
    --------
    >>> from matching import Matcher, Mentor
    >>> m = Matcher().fit([Mentor(id=1, expertise=["ux"]), Mentor(id=2, expertise=["sql"])])
    >>> r = m.round([Mentee(id=7, skills_to_grow=["ux"]), Mentee(id=8, skills_to_grow=["ux"])], [1, 1], k=1)
    >>> r.assignment.tolist(), r.certified
    ([0, 1], True)
    >>> bool(r.scores[0] > r.scores[1]), bool(r.best[1] > r.scores[1])  # mentee 8 wanted the ux mentor too
    (True, True)
    """
    real_min, real_equity = as_options(min_score, objective, equity)
    k = positive_k(k)
    # Analysed once: the candidates and every later read share the batch and its criteria.
    batch, tables = matcher._prepare_with_tables(mentees)
    n = len(batch.mentees)
    per_mentee = min(20, max(5, _FIRST_PAIRS // max(n, 1)))
    # Each mentee's k-th score (a bound on every pair left out) and per_mentee-th,
    # cut with the candidates; the candidates hold each mentee's k best, so a
    # per_mentee above k is the per_mentee-th of its candidates.
    cand, cuts = matcher._candidates(batch, k, tables, (k, per_mentee) if per_mentee <= k else (k,))
    n, m = cand.shape
    cap = as_capacity(capacity, m, most=n)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(cand.indptr))
    cols, values = cand.indices.astype(np.int64), cand.data.astype(float)
    bound = cuts[0].astype(float)
    # Scores are float32 numbers (cut in float32 at half the memory traffic, exactly).
    top = (cuts[1] if per_mentee <= k else kth_per_line(cand.indptr, cand.data.astype(np.float32), per_mentee)
           ).astype(float)

    def scan(rectangles: list[tuple[np.ndarray, np.ndarray | None]], look: Callable[..., T]) -> list[T]:
        return scan_rectangles(matcher, batch, tables, rectangles, look)

    best = _open_best(cap, cand.indptr, cols, values, bound, scan)
    model = _model(cap, best, real_min, real_equity, objective)
    # First solve: each mentee's best few and each mentor's best few candidates;
    # every other candidate is checked exactly, which costs far less.
    allowed = model.allowed(cols, values)
    usable = values
    if not allowed.all():
        usable = np.where(allowed, values, -np.inf)
        top = kth_per_line(cand.indptr, usable.astype(np.float32), per_mentee).astype(float)
    first = usable >= top[rows]
    by_mentor = sp.csr_matrix((usable.astype(np.float32), cand.indices, cand.indptr), shape=(n, m)).tocsc()
    per_mentor = min(n, 64, max(5, 2 * int(cap.max(initial=0))))
    first |= usable >= kth_per_line(by_mentor.indptr, by_mentor.data, per_mentor).astype(float)[cols]
    out = certified_solve(model, rows, cols, values, first, bound, scan, reach=lambda: _reach(matcher, tables, n))
    reasons: list[list[str]] | None = None
    if explain:
        reasons = [[] for _ in range(n)]
        made = np.flatnonzero(out.assignment >= 0)
        for i, why in zip(made.tolist(), matcher._explain_pairs(batch, made, out.assignment[made]), strict=True):
            reasons[i] = why
    return Round(out.assignment, out.certified, out.passes, out.extra_pairs,
                 _own_scores(out.assignment, rows, cols, values, scan), best, reasons)


def _open_best(cap: np.ndarray, indptr: np.ndarray, cols: np.ndarray, values: np.ndarray,
               bound: np.ndarray, scan: Scan) -> np.ndarray:
    """Each row's best score at a mentor with seats (``-inf``: none), ``min_score`` aside.

    From the candidates (``indptr``, ``cols``, ``values``: a CSR layout),
    unless the row's best open candidate is below its bound (its best ones
    are at mentors without seats): those rows are read in full.
    """
    best = np.full(len(bound), -np.inf)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if len(nonempty):  # from each non-empty row's start: the empty rows between add nothing
        best[nonempty] = np.maximum.reduceat(np.where(cap[cols] > 0, values, -np.inf), indptr[nonempty])
    unsure = np.flatnonzero(bound > best)
    open_cols = np.flatnonzero(cap > 0)
    if len(unsure) and len(open_cols):
        def top(block_rows: np.ndarray, _: np.ndarray | None, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return block_rows, block.max(axis=1, initial=-np.inf)

        read = None if len(open_cols) == len(cap) else open_cols
        for block_rows, block_top in scan([(unsure, read)], top):
            best[block_rows] = block_top
    return best


def _own_scores(assignment: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                scan: Scan) -> np.ndarray:
    """Each row's score with its mentor (NaN: unmatched): from the candidates, or read.

    The few pairs made outside the candidates are read in groups of rows
    sorted by mentor, each group at the mentors its rows were given.
    """
    scores = np.full(len(assignment), np.nan)
    hit = cols == assignment[rows]
    scores[rows[hit]] = values[hit]
    missing = np.flatnonzero((assignment >= 0) & np.isnan(scores))
    missing = missing[np.argsort(assignment[missing], kind="stable")]
    groups = [np.sort(missing[s : s + _OWN_ROWS]) for s in range(0, len(missing), _OWN_ROWS)]

    def pick(block_rows: np.ndarray, read: np.ndarray, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return block_rows, block[np.arange(len(block_rows)), np.searchsorted(read, assignment[block_rows])]

    for block_rows, found in scan([(g, np.unique(assignment[g])) for g in groups], pick):
        scores[block_rows] = found
    return scores


def _reach(matcher: Matcher, tables: Tables, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups of mentees with the same hard constraints, and the mentors each group may be paired with.

    Read from the batch's structured criteria (``tables``) alone, no text:
    language and time zone rules and mentors with no seats; a mentee's own
    exclusions are not needed (a superset of the allowed mentors is all a
    bound asks).
    """
    m = len(matcher.facts_.has_lang)
    # a table forbids some pair when its least entry is -inf (a reduction, no mask of the table)
    limiting = [(t, i) for t, i in zip(tables.tables, tables.inverse, strict=True)
                if t.size and t.min() == -np.inf]
    if not limiting or n == 0:
        return np.zeros(n, np.int64), np.ones((1, m), bool)
    first, group = row_groups(np.column_stack([i for _, i in limiting]))
    reachable = np.ones((len(first), m), bool)
    for table, inverse in limiting:
        reachable &= np.isfinite(table[inverse[first]])
    return group, reachable


def _model(cap: np.ndarray, open_best: np.ndarray, min_score: float | None, equity: float,
           objective: str) -> Model:
    """The round's integer model: equity divisors and scale from every allowed pair.

    ``open_best`` is each row's best score at a mentor with seats
    (:func:`_open_best`); its best allowed one is the same unless below
    ``min_score`` (then none is). Scores are non-negative, so the largest of
    them sets the scale.
    """
    n = len(open_best)
    best = open_best if min_score is None else np.where(open_best >= min_score, open_best, -np.inf)
    has = best > -np.inf
    divisor = row_divisor(np.flatnonzero(has), best[has], n, equity)
    largest = float(np.abs(best[has] / divisor[has]).max()) if has.any() else 0.0
    return Model(cap, divisor, largest, min_score, objective)
