"""Certified rounds: solved on each mentee's best candidates, proven optimal over every allowed pair.

:meth:`Matcher.candidates` keeps each mentee's ``k`` best mentors, and a round
solved on those alone can fall a little short of the best round over all
pairs. :func:`certified_round` closes the gap for certain: it solves on the
candidates, prices every mentor's seats from that solution
(:mod:`matching.duals`), reads the scores of the mentees whose other pairs
might beat those prices (from the batch the candidates were scored on, at
the mentors cheap enough to matter: :mod:`matching.reading`), adds the pairs
that do and solves again, until no allowed pair can improve the round. The result is the optimum of
:func:`matching.assign` on the full score matrix, in the same integer weights.
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
from matching.criteria import Tables
from matching.duals import ranges
from matching.flow import row_divisor
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
    """

    assignment: np.ndarray
    certified: bool
    passes: int
    extra_pairs: int


def kth_per_line(indptr: np.ndarray, values: np.ndarray, k: int | tuple[int, ...]) -> np.ndarray:
    """The ``k``-th largest value of each line of a CSR (or CSC) layout, ``-inf`` for lines with fewer entries.

    When the entries hold each row's ``k`` best scores (as candidates do),
    it bounds every score of the row left out. Lines are laid out in a
    ``-inf``-padded matrix and cut together, no sort; the few much longer
    lines (a popular mentor's column) are cut one by one. A tuple of ``k``
    gives one row of cuts per ``k`` from a single partition.

    Examples
    --------
    >>> kth_per_line(np.array([0, 3, 4]), np.array([0.2, 0.9, 0.5, 0.1]), 2).tolist()
    [0.5, -inf]
    >>> kth_per_line(np.array([0, 3, 4]), np.array([0.2, 0.9, 0.5, 0.1]), (1, 3)).tolist()
    [[0.9, 0.1], [0.2, -inf]]
    """
    ks = (k,) if isinstance(k, int | np.integer) else tuple(k)
    counts = np.diff(indptr)
    n, longest = len(counts), int(counts.max(initial=0))
    cut = np.full((len(ks), n), -np.inf)
    wanted = [i for i, kk in enumerate(ks) if 1 <= kk <= longest]
    if wanted:
        least = min(ks[i] for i in wanted)
        width = min(longest, max(max(ks[i] for i in wanted), 4 * -(-len(values) // max(n, 1))))
        short = np.flatnonzero((counts >= least) & (counts <= width))
        if len(short):
            padded = np.full((len(short), width), -np.inf, dtype=values.dtype)
            lines = np.repeat(np.arange(len(short)), counts[short])
            at = ranges(indptr[short], counts[short])
            padded[lines, at - indptr[short][lines]] = values[at]
            positions = [width - ks[i] for i in wanted]
            parted = np.partition(padded, sorted(set(positions)), axis=1)
            for i, pos in zip(wanted, positions, strict=True):
                cut[i, short] = np.where(counts[short] >= ks[i], parted[:, pos], -np.inf)
        for line in np.flatnonzero(counts > width):
            part = values[indptr[line] : indptr[line + 1]]
            positions = [len(part) - ks[i] for i in wanted]
            parted = np.partition(part, sorted(set(positions)))
            for i, pos in zip(wanted, positions, strict=True):
                cut[i, line] = parted[pos]
    return cut[0] if isinstance(k, int | np.integer) else cut


def certified_round(matcher: Matcher, mentees: Sequence[Mentee], capacity: ArrayLike, *, k: int = 50,
                    min_score: float | None = None, objective: str = "score", equity: float = 0.0) -> Round:
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

    Returns
    -------
    Round
        Its ``assignment`` has the total integer weight of ``assign(matcher.score(mentees), capacity, ...)``.

    Examples
    --------
    >>> from matching import Matcher, Mentor
    >>> m = Matcher().fit([Mentor(id=1, expertise=["ux"]), Mentor(id=2, expertise=["sql"])])
    >>> r = m.round([Mentee(id=7, skills_to_grow=["ux"]), Mentee(id=8, skills_to_grow=["ux"])], [1, 1], k=1)
    >>> r.assignment.tolist(), r.certified
    ([0, 1], True)
    """
    real_min, real_equity = as_options(min_score, objective, equity)
    k = positive_k(k)
    # Analysed once: the candidates and every later read share the batch and its criteria.
    batch = matcher._prepare(mentees)
    tables = matcher._tables(batch)
    cand = matcher._candidates(batch, k, tables)
    n, m = cand.shape
    cap = as_capacity(capacity, m, most=n)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(cand.indptr))
    cols, values = cand.indices.astype(np.int64), cand.data.astype(float)
    per_mentee = min(20, max(5, _FIRST_PAIRS // max(n, 1)))
    # Scores are float32 numbers (cut in float32 at half the memory traffic, exactly).
    bound, top = kth_per_line(cand.indptr, values.astype(np.float32), (int(k), per_mentee)).astype(float)

    def scan(rectangles: list[tuple[np.ndarray, np.ndarray | None]], look: Callable[..., T]) -> list[T]:
        return scan_rectangles(matcher, batch, tables, rectangles, look)

    model = _model(cap, rows, cols, values, bound, scan, real_min, real_equity, objective)
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
    return Round(out.assignment, out.certified, out.passes, out.extra_pairs)


def _reach(matcher: Matcher, tables: Tables, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups of mentees with the same hard constraints, and the mentors each group may be paired with.

    Read from the batch's structured criteria (``tables``) alone, no text:
    language and time zone rules and mentors with no seats; a mentee's own
    exclusions are not needed (a superset of the allowed mentors is all a
    bound asks).
    """
    m = len(matcher.facts_.has_lang)
    limiting = [(t, i) for t, i in zip(tables.tables, tables.inverse, strict=True) if np.isneginf(t).any()]
    if not limiting or n == 0:
        return np.zeros(n, np.int64), np.ones((1, m), bool)
    _, first, group = np.unique(np.column_stack([i for _, i in limiting]), axis=0, return_index=True,
                                return_inverse=True)
    reachable = np.ones((len(first), m), bool)
    for table, inverse in limiting:
        reachable &= np.isfinite(table[inverse[first]])
    return group.ravel(), reachable


def _model(cap: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, bound: np.ndarray,
           scan: Scan, min_score: float | None, equity: float, objective: str) -> Model:
    """The round's integer model: equity divisors and scale from every allowed pair.

    A row's best allowed score is among its candidates unless the candidates'
    best allowed one is below the row's bound (mentors given no seats, or
    ``min_score``); those rows are read in full. Scores are non-negative, so
    the largest of them sets the scale.
    """
    n = len(bound)
    probe = Model(cap, np.ones(n), 1.0, min_score, objective)
    ok = probe.allowed(cols, values)
    best = np.full(n, -np.inf)
    np.maximum.at(best, rows[ok], values[ok])
    reach = np.where(probe.bound_weights(bound) > -np.inf, bound, -np.inf)
    unsure = np.flatnonzero(reach > best)
    if len(unsure):
        def best_allowed(block_rows: np.ndarray, _: None, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            closed = (cap <= 0)[None, :] | (block < min_score if min_score is not None else False)
            return block_rows, np.where(closed, -np.inf, block).max(axis=1, initial=-np.inf)

        for block_rows, top in scan([(unsure, None)], best_allowed):
            best[block_rows] = top
    has = best > -np.inf
    divisor = row_divisor(np.flatnonzero(has), best[has], n, equity)
    largest = float(np.abs(best[has] / divisor[has]).max()) if has.any() else 0.0
    return Model(cap, divisor, largest, min_score, objective)
