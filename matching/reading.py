"""Reading the rows a certificate must check: only the seats cheap enough to matter, in blocks.

A pair left out of a round's solve can only improve the round if its weight
beats the mentee's value plus the mentor's seat price (:mod:`matching.certify`).
Its weight is at most the row's bound (its ``k``-th candidate), so a mentor
whose seat costs more than ``bound - value`` can be skipped without reading
the pair. Seats are priced very unevenly (the mentors everyone wants are
dear), and a row usually needs a few percent of the mentors read: the rows
are grouped by how far down the price list they reach and each group is
read at the columns it needs (:func:`read_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.flow import COST_BITS

if TYPE_CHECKING:
    from matching.certify import Model

__all__ = ["NEAR", "SLACK", "Read", "Scan", "read_rows"]

#: ``scan(rectangles, look)`` reads the raw scores of each rectangle ``(rows, cols)``
#: (rows sorted and distinct; ``cols`` sorted, or None for every mentor) in blocks of
#: rows and returns ``[look(block_rows, cols, block) for each block]`` in order,
#: ``block`` a float array of shape ``(len(block_rows), len(cols))``; blocks may be
#: looked at on several threads.
Scan = Callable[[list[tuple[np.ndarray, np.ndarray | None]], Callable[..., Any]], list]

#: Pairs this close to violating the certificate (in weight units) are solved on
#: too, so that the next solve's slightly different prices rarely need another pass.
NEAR = 2**COST_BITS // 64
#: Slack (weight units) for the float comparisons that only decide what to check exactly.
SLACK = 4.0
#: Rows needing more than this share of the open seats are read at every column.
_WIDE = 0.5
#: Rows read together at the columns the widest of them needs (sorted by width,
#: neighbours need about as many).
_GROUP_ROWS = 1024


@dataclass(frozen=True)
class Read:
    """What reading some rows found."""

    rows: np.ndarray
    reduced: np.ndarray  # per row: an upper bound on ``weight - price`` over its pairs left out
    found: tuple[np.ndarray, np.ndarray, np.ndarray]  # (rows, cols, weights) of pairs near or over the limit
    violated: bool  # a pair read beats the certificate


def read_rows(model: Model, known: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], scan: Scan,
              rows: np.ndarray, top: np.ndarray, u: np.ndarray, v: np.ndarray) -> Read:
    """Read ``rows`` (sorted) wherever a pair left out may come near the certificate's limit.

    Parameters
    ----------
    model : Model
    known : callable
        ``known(rows)`` gives (position in ``rows``, column) of every pair
        already known (checked exactly elsewhere), to leave out.
    scan : callable
        Reads raw scores (see :data:`Scan`).
    rows : ndarray of int
    top : ndarray of float, aligned with ``rows``
        An upper bound on the weight of every pair of the row left out.
    u, v : ndarrays of int64
        The values and seat prices being checked against.

    Returns
    -------
    Read

    Examples
    --------
    >>> from matching.certify import Model
    >>> S = np.array([[0.9, 0.8, 0.1]])
    >>> model = Model(np.array([1, 1, 1]), np.ones(1), 1.0, None, "score")
    >>> def scan(rects, look):
    ...     return [look(r, c, S[r] if c is None else S[np.ix_(r, c)]) for r, c in rects]
    >>> none = (np.empty(0, np.int64), np.empty(0, np.int64))
    >>> read = read_rows(model, lambda r: none, scan, np.array([0]), np.array([0.8 * 2**36]),
    ...                  np.array([0]), np.array([2**36, 2**35, 2**37]))
    >>> read.found[1].tolist(), read.violated  # mentor 1: 0.8 beats its price 0.5; mentor 2 is never read
    ([1], True)
    """
    prices = model.open_prices(v)
    rectangles, unread = _rectangles(rows, top - u[rows] + NEAR + SLACK, prices)
    m = len(prices)

    def look(block_rows: np.ndarray, cols: np.ndarray | None, block: np.ndarray) -> tuple:
        cols = np.arange(m) if cols is None else cols
        gain = model.block_gains(block_rows, block, prices[cols])
        at, known_cols = known(block_rows)
        position = np.full(m, -1)
        position[cols] = np.arange(len(cols))
        inside = position[known_cols] >= 0
        gain[at[inside], position[known_cols[inside]]] = -np.inf  # known pairs are checked exactly
        limit = u[block_rows] - NEAR - SLACK
        reduced = gain.max(axis=1, initial=-np.inf)
        hot = np.flatnonzero(reduced > limit)  # the few rows with a pair worth a look
        hot_gain = gain[hot]
        # floats only pick what to look at; the decision is in exact integers
        at, near_at = np.nonzero(hot_gain > limit[hot, None])
        near_r, near_c = hot[at], cols[near_at]
        raw = block[near_r, near_at].astype(float)
        ok = model.allowed(near_c, raw)
        w = model.weights(block_rows[near_r[ok]], raw[ok])
        exact = w - v[near_c[ok]] - u[block_rows[near_r[ok]]]
        near = np.flatnonzero(ok)[exact > -NEAR]
        hot_gain[at[near], near_at[near]] = -np.inf
        hot_gain[at[~ok], near_at[~ok]] = -np.inf  # below min_score: never a pair
        reduced[hot] = hot_gain.max(axis=1, initial=-np.inf)
        found = (block_rows[near_r[near]], near_c[near], w[exact > -NEAR])
        return block_rows, reduced, found, bool((exact > 0).any())

    looked = scan(rectangles, look)
    reduced = top - unread  # the columns not read: at most the bound less their cheapest price
    if not looked:
        empty = np.empty(0, np.int64)
        return Read(rows, reduced, (empty, empty, empty), False)
    block_rows, block_reduced, found, violated = zip(*looked, strict=True)
    at = np.searchsorted(rows, np.concatenate(block_rows))
    reduced[at] = np.maximum(reduced[at], np.concatenate(block_reduced))
    pair_rows, pair_cols, weights = (np.concatenate(p) for p in zip(*found, strict=True))
    return Read(rows, reduced, (pair_rows, pair_cols, weights), any(violated))


def _rectangles(rows: np.ndarray, limits: np.ndarray, prices: np.ndarray
                ) -> tuple[list[tuple[np.ndarray, np.ndarray | None]], np.ndarray]:
    """The rectangles to read so that each row meets every seat priced under its limit.

    Returns the rectangles (rows sorted; columns sorted, or None for all) and,
    per row, the cheapest price it leaves unread (``inf`` when it reads all).
    """
    order = np.argsort(prices, kind="stable")  # closed mentors (inf) last
    by_price = prices[order]
    n_open = int(np.isfinite(by_price).sum())
    width = np.searchsorted(by_price, limits, side="left")  # seats priced under the limit
    unread = np.full(len(rows), np.inf)
    wide = width > _WIDE * n_open
    rectangles: list[tuple[np.ndarray, np.ndarray | None]] = []
    if wide.any():
        rectangles.append((rows[wide], None))
    narrow = np.flatnonzero(~wide)
    narrow = narrow[np.argsort(width[narrow], kind="stable")]
    for start in range(0, len(narrow), _GROUP_ROWS):
        group = np.sort(narrow[start : start + _GROUP_ROWS])
        reach = int(width[group].max())
        unread[group] = by_price[reach] if reach < len(by_price) else np.inf
        if reach:
            rectangles.append((rows[group], np.sort(order[:reach])))
    return rectangles, unread
