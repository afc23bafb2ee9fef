"""Which of many equal scores a candidate cut keeps, and in what order.

A mentee who wrote nothing, or gave only a language, scores the same with
hundreds of mentors. Candidate cuts keep exactly ``k`` entries per row and
``r`` per column, so ties at a cut must be chosen, and chosen cheaply: in a
fixed order (the result must not depend on how a round is cut into chunks
and blocks) that spreads them over the pool (:func:`tie_starts`), and
without carrying every tie to the cut (:func:`first_ties`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["best_per_line", "first_ties", "stable_order", "tie_starts"]


def tie_starts(n_lines: int, k: int, length: int, first: int = 0) -> np.ndarray:
    """Where each line starts reading its ties: line ``i`` at ``i * k`` (mod ``length``).

    Mentees who wrote nothing score the same with every mentor. Were ties
    read from the first mentor, they would all keep the same ``k`` mentors
    and compete for their few seats while others stay empty; read from
    staggered starts, consecutive mentees keep consecutive, disjoint runs.
    """
    return (np.arange(first, first + n_lines, dtype=np.int64) * k) % max(length, 1)


def best_per_line(line: np.ndarray, position: np.ndarray, values: np.ndarray, cut: np.ndarray,
                   k: int, start: np.ndarray) -> np.ndarray:
    """Mask of each line's ``k`` best entries, given each entry's exact cut (the line's ``k``-th value).

    Entries are grouped by line with positions increasing. Ties at the cut
    are taken in the order of reading the line from ``start[line]`` round to
    its end and back (see :func:`tie_starts`); the count is exact, so a row
    of equal scores never keeps more than ``k``. A linear pass, no sort.
    """
    keep = values > cut
    room = k - np.bincount(line[keep], minlength=len(start))
    tied = np.flatnonzero(values == cut)
    tied_line, tied_position = line[tied], position[tied]
    plain = np.arange(len(tied)) - np.searchsorted(tied_line, tied_line)  # rank in position order
    early = tied_position < start[tied_line]  # before the start: read last
    n_early = np.bincount(tied_line[early], minlength=len(start))
    n_late = np.bincount(tied_line, minlength=len(start)) - n_early
    rank = np.where(early, plain + n_late[tied_line], plain - n_early[tied_line])
    keep[tied[rank < room[tied_line]]] = True
    return keep


def stable_order(lines: np.ndarray, n_lines: int) -> np.ndarray:
    """Indices that group entries by line, keeping their order within a line (a radix sort for small ints)."""
    return np.argsort(lines.astype(np.uint16) if n_lines <= 2**16 else lines, kind="stable")


def first_ties(ties: np.ndarray, m: int, start: np.ndarray, axis: int) -> np.ndarray:
    """Mask of the ties a cut along ``axis`` may take.

    Per line, the first ``m`` from ``start`` on and the first ``m`` before it.

    ``ties`` (bool) marks a block's entries equal to their line's floor;
    ``start`` is each line's :func:`tie_starts`, relative to the block and
    clipped to it. Reading a line from its start round to its end and back,
    the first ``m`` ties of the whole line are among these, so however many
    ties a block holds, at most ``2 m`` per line need to be kept.

    Examples
    --------
    >>> ties = np.ones((1, 6), dtype=bool)
    >>> first_ties(ties, 2, np.array([3]), axis=1).astype(int).tolist()
    [[1, 1, 0, 1, 1, 0]]
    """
    count = np.cumsum(ties, axis=axis, dtype=np.int32)  # ties so far, this one included
    start = np.clip(start, 0, ties.shape[axis])
    lines = np.arange(ties.shape[1 - axis])
    before = count[lines, np.maximum(start - 1, 0)] if axis == 1 else count[np.maximum(start - 1, 0), lines]
    before = np.where(start > 0, before, 0)
    position = np.arange(ties.shape[axis])
    if axis == 1:
        late, before = position[None, :] >= start[:, None], before[:, None]
    else:
        late, before = position[:, None] >= start[None, :], before[None, :]
    return ties & (np.where(late, count - before, count) <= m)
