"""Where vocabulary phrases start in a batch of token streams: longest first, left to right, never across texts."""

from __future__ import annotations

import functools

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

    Only the positions that can start a phrase of a length are looked up
    among that length's phrases: enough stems of phrases follow them in
    their segment, the first of them begins such a phrase, and no longer
    phrase starts there. On skill-laden text most tokens are stems of
    some phrase, and looking every one up at every length was most of the
    work.
    """
    ph = _phrases()
    n_tokens = len(phrase_stem)
    length = np.zeros(n_tokens, dtype=np.int64)
    concept = np.full(n_tokens, -1, dtype=np.int64)
    run = _runs(phrase_stem > 0, seg)
    first_stems = _first_stems()
    for size in sorted(ph.keys, reverse=True):
        where = np.flatnonzero(run >= size)
        where = where[first_stems[size][phrase_stem[where]] & (length[where] == 0)]
        if len(where) == 0:
            continue
        code = phrase_stem[where]
        for t in range(1, size):
            code = code * ph.base + phrase_stem[where + t]
        keys = ph.keys[size]
        pos = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
        hit = (keys[pos] == code) & (in_tag[where] | ~ph.tag_only[size][pos])
        if size == 1:
            hit &= in_tag[where]
        length[where[hit]] = size
        concept[where[hit]] = ph.concept[size][pos[hit]]
    words = np.flatnonzero((length == 0) & ~in_tag & (single_word >= 0))
    length[words] = 1
    concept[words] = single_word[words]
    at = leftmost_longest(np.flatnonzero(length), length)
    return at, concept[at]


@functools.cache
def _first_stems() -> dict[int, np.ndarray]:
    """Per phrase length, whether each phrase stem number begins a phrase of that length."""
    ph = _phrases()
    tables = {}
    for size, keys in ph.keys.items():
        tables[size] = np.zeros(ph.base, dtype=bool)
        tables[size][keys // ph.base ** (size - 1)] = True
    return tables


def _runs(inside: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """How many tokens from each one on are ``inside`` and in its segment (0 when it is not inside).

    Examples
    --------
    >>> _runs(np.array([1, 1, 0, 1, 1, 1], bool), np.array([0, 0, 0, 0, 0, 1])).tolist()
    [2, 1, 0, 2, 1, 1]
    """
    n = len(inside)
    run = np.zeros(n, dtype=np.int64)
    linked = np.zeros(n, dtype=bool)  # token i and token i + 1 are both inside, in one segment
    linked[:-1] = inside[:-1] & inside[1:] & (seg[1:] == seg[:-1])
    first = inside.copy()
    first[1:] &= ~linked[:-1]
    at = np.flatnonzero(inside)
    ends = np.flatnonzero(inside & ~linked)  # each run's last token, in the order of the runs
    run[at] = ends[np.cumsum(first)[at] - 1] - at + 1
    return run


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
