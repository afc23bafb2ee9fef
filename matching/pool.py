"""The pairs whose weights a certified solve knows, checked against its prices a slice at a time.

A 50,000-mentee round knows millions of pairs (every mentee's candidates),
and each pass compares every one not yet solved on with the new prices
(:mod:`matching.certify`). Done on the whole pool at once, each step of the
comparison is an array of millions of numbers, fresh memory whose page
faults cost more than the arithmetic; :class:`Pool` works through it in
slices that stay in the cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.duals import ranges

__all__ = ["SLICE", "Pool"]

#: Pairs handled at once (a few hundred kilobytes per array).
SLICE = 1 << 16


class Pool:
    """The pairs whose weights are known: those given (grouped by row), and those found by reading rows.

    Found pairs are always solved on; given ones once chosen or promoted.
    The given pairs may number millions and never move; the few found are
    kept apart, so adding them copies nothing big.
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, solved: np.ndarray) -> None:
        if len(rows) > 1 and bool((rows[1:] < rows[:-1]).any()):
            order = np.argsort(rows, kind="stable")
            rows, cols, w, solved = rows[order], cols[order], w[order], solved[order]
        self.rows, self.cols, self.w, self.solved = rows, cols, w, solved.copy()
        self.found = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))

    def solved_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, weights) of every pair to solve on."""
        at = np.flatnonzero(self.solved)
        return tuple(np.concatenate([given[at], found])  # type: ignore[return-value]
                     for given, found in zip((self.rows, self.cols, self.w), self.found, strict=True))

    def promote(self, u: np.ndarray, v: np.ndarray, near: int) -> bool:
        """Solve from now on on the given pairs within ``near`` of violating ``u + v``; whether one violates it.

        A pair violates the prices when its weight exceeds its mentee's
        value plus its mentor's seat price.
        """
        violated = False
        for start in range(0, len(self.w), SLICE):
            part = slice(start, start + SLICE)
            gain = self.w[part] - v[self.cols[part]]
            gain -= u[self.rows[part]]
            waiting = ~self.solved[part]
            violated = violated or bool((waiting & (gain > 0)).any())
            self.solved[part] |= waiting & (gain > -near)
        return violated

    def add(self, parts: Sequence[tuple[np.ndarray, ...]]) -> None:
        """Add pairs found by reading rows: (rows, cols, weights) per part."""
        if parts:
            new = [np.concatenate(p) for p in zip(*parts, strict=True)]
            order = np.argsort(np.concatenate([self.found[0], new[0]]), kind="stable")
            self.found = tuple(np.concatenate([old, add])[order]  # type: ignore[assignment]
                               for old, add in zip(self.found, new, strict=True))

    def of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, column) of every known pair of ``rows``."""
        at, cols = [], []
        for sorted_rows, their_cols in ((self.rows, self.cols), (self.found[0], self.found[1])):
            starts = np.searchsorted(sorted_rows, rows, side="left")
            counts = np.searchsorted(sorted_rows, rows, side="right") - starts
            at.append(np.repeat(np.arange(len(rows)), counts))
            cols.append(their_cols[ranges(starts, counts)])
        return np.concatenate(at), np.concatenate(cols)
