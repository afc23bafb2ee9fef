"""Where vocabulary phrases start in a batch of token streams: longest first, left to right, never across texts."""

from __future__ import annotations

import numpy as np

from matching.text import _phrases

__all__ = ["leftmost_longest", "phrase_matches"]


def phrase_matches(phrase_stem: np.ndarray, seg: np.ndarray, in_tag: np.ndarray,
                    single_word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token positions where a vocabulary phrase starts, and its concept.

    Reading left to right, the longest phrase starting at a token wins and
    the tokens it covers start no other phrase. A phrase never crosses a
    segment, and tag-only phrases count only inside tags. A one-word term
    matches a tag by its stem but free text only by its own word
    (``single_word``: each token's concept that way, -1 for none): in
    prose, stems of everyday words meet stems of skills ("care" and
    "career", "found" and "founder", "talk" and "talks").
    """
    ph = _phrases()
    n_tokens = len(phrase_stem)
    length = np.zeros(n_tokens, dtype=np.int64)
    concept = np.full(n_tokens, -1, dtype=np.int64)
    for size in sorted(ph.keys, reverse=True):
        starts = n_tokens - size + 1
        if starts <= 0:
            continue
        code = np.zeros(starts, dtype=np.int64)
        ok = (length[:starts] == 0) & (seg[:starts] == seg[size - 1:])
        for t in range(size):
            part = phrase_stem[t : t + starts]
            code = code * ph.base + part
            ok &= part > 0
        where = np.flatnonzero(ok)
        keys = ph.keys[size]
        pos = np.minimum(np.searchsorted(keys, code[where]), len(keys) - 1)
        hit = (keys[pos] == code[where]) & (in_tag[where] | ~ph.tag_only[size][pos])
        if size == 1:
            hit &= in_tag[where]
        length[where[hit]] = size
        concept[where[hit]] = ph.concept[size][pos[hit]]
    words = np.flatnonzero((length == 0) & ~in_tag & (single_word >= 0))
    length[words] = 1
    concept[words] = single_word[words]
    at = leftmost_longest(np.flatnonzero(length), length)
    return at, concept[at]


def leftmost_longest(starts: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The phrase starts a left-to-right reading keeps: none inside a phrase kept before it.

    Decided in rounds, all positions at once: a start covered by a kept
    phrase is dropped, and a start that no undecided earlier phrase covers
    is kept. Each round settles at least the first undecided start, and real
    text needs two or three rounds ("machine learning" and "learning" in
    "machine learning engineer").
    """
    ends = starts + length[starts]
    keep = np.zeros(len(starts), dtype=bool)
    undecided = np.ones(len(starts), dtype=bool)
    for _ in range(_ROUNDS):
        if not undecided.any():
            return starts[keep]
        kept_reach = _reach_before(np.where(keep, ends, -1))
        open_reach = _reach_before(np.where(undecided, ends, -1))
        dropped = undecided & (starts < kept_reach)
        settled = undecided & ~dropped & (starts >= open_reach)
        keep |= settled
        undecided &= ~(dropped | settled)
    # A long chain of overlapping phrases ("data science data science ..."):
    # settle what is left in one sequential pass.
    kept_reach, end = _reach_before(np.where(keep, ends, -1)), -1
    for i in np.flatnonzero(undecided).tolist():
        if starts[i] >= max(kept_reach[i], end):
            keep[i] = True
            end = int(ends[i])
    return starts[keep]


#: Rounds of :func:`leftmost_longest` before the rest is settled sequentially.
_ROUNDS = 4


def _reach_before(ends: np.ndarray) -> np.ndarray:
    """For each position, the furthest end among the phrases before it (-1 if none)."""
    reach = np.full(len(ends), -1, dtype=np.int64)
    if len(ends) > 1:
        np.maximum.accumulate(ends[:-1], out=reach[1:])
    return reach
