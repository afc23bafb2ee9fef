"""Analyse many texts at once: vocabulary concepts, content stems and word pairs.

A round analyses the goals of every mentee and the profile of every mentor.
Walking each text word by word in Python was most of a round's time, so a
batch is tokenised in one pass over one joined string and every later step
(stems, phrase lookup, word pairs, counting) works on numpy arrays: Python
only touches each *distinct* word once, and the few phrase matches.

Each person contributes one free text (weight 1) and any number of tags
(weight ``TAG_WEIGHT``). Phrases and word pairs never cross from one text or
tag into the next, and vocabulary entries that are ordinary English words
("go", "rust") count as concepts in tags only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from matching.text import BIGRAM_WEIGHT, TAG_WEIGHT, _phrases, fold, tokenize, word_info

__all__ = ["Corpus", "Counts", "Document", "analyse", "analyse_many"]

# Joins the texts of a batch. Upper case cannot survive str.lower(), so this
# token can only come from the join and marks where one text ends.
_SEPARATOR = "Q"


@dataclass(frozen=True)
class Document:
    """One person's analysed text: concept weights, stem counts and a stem -> first word map."""

    concepts: dict[int, float]
    stems: dict[str, float]  # single stems and "stem stem" pairs
    surface: dict[str, str]  # content stems in the order they first appear

    @property
    def empty(self) -> bool:
        """True when neither words nor concepts were found."""
        return not self.concepts and not self.stems


@dataclass(frozen=True)
class Counts:
    """Summed weights per (document, key), sorted by document then key."""

    doc: np.ndarray
    key: np.ndarray
    value: np.ndarray
    indptr: np.ndarray  # entries of document i are [indptr[i], indptr[i + 1])

    @classmethod
    def summed(cls, doc: np.ndarray, key: np.ndarray, value: np.ndarray, n_docs: int,
               n_keys: int) -> tuple[Counts, np.ndarray]:
        """Sum duplicate (doc, key) entries; also return each entry's first position."""
        flat = doc * max(n_keys, 1) + key
        uniq, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
        doc_of = uniq // max(n_keys, 1)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc_of, minlength=n_docs), out=indptr[1:])
        summed = np.bincount(inverse.ravel(), weights=value, minlength=len(uniq))
        return cls(doc_of, uniq % max(n_keys, 1), summed, indptr), first

    def of(self, i: int) -> slice:
        """The entries of document ``i``."""
        return slice(int(self.indptr[i]), int(self.indptr[i + 1]))


@dataclass(frozen=True)
class Corpus:
    """A batch of analysed texts, one document per person, as flat arrays.

    ``stems`` numbers the distinct stems of the batch; ``unigrams`` are keyed
    by stem number, ``pairs`` by ``first * len(stems) + second`` and
    ``concepts`` by vocabulary term index.
    """

    n_docs: int
    stems: tuple[str, ...]
    unigrams: Counts
    pairs: Counts
    concepts: Counts
    first_token: np.ndarray  # token position where each unigram entry first occurs
    token_word: np.ndarray  # each token's index into ``words``
    words: tuple[str, ...]

    def stem_columns(self, columns: dict[str, int]) -> np.ndarray:
        """Each stem's column in ``columns`` (an encoder's), -1 where it has none."""
        return np.fromiter((columns.get(s, -1) for s in self.stems), dtype=np.int64, count=len(self.stems))

    def nonempty(self) -> np.ndarray:
        """Whether each document has any word or concept to score on."""
        return (np.diff(self.unigrams.indptr) > 0) | (np.diff(self.concepts.indptr) > 0)

    def document(self, i: int) -> Document:
        """Document ``i`` as dictionaries, for explaining one pair."""
        u, p, c = self.unigrams.of(i), self.pairs.of(i), self.concepts.of(i)
        stems, n = self.stems, len(self.stems)
        counts = dict(zip((stems[k] for k in self.unigrams.key[u].tolist()),
                          self.unigrams.value[u].tolist(), strict=True))
        for key, value in zip(self.pairs.key[p].tolist(), self.pairs.value[p].tolist(), strict=True):
            counts[stems[key // n] + " " + stems[key % n]] = value
        order = np.argsort(self.first_token[u])
        first_words = self.token_word[self.first_token[u][order]]
        surface = {stems[k]: self.words[w] for k, w in
                   zip(self.unigrams.key[u][order].tolist(), first_words.tolist(), strict=True)}
        return Document(dict(zip(self.concepts.key[c].tolist(), self.concepts.value[c].tolist(), strict=True)),
                        counts, surface)


def analyse(text: str, tags: Sequence[str]) -> Document:
    """Find vocabulary concepts and content stems in one free text plus tags.

    Examples
    --------
    >>> doc = analyse("I'd love help leading a team", ("ML",))
    >>> sorted(_phrases().names[c] for c in doc.concepts)
    ['machine learning', 'people management']
    >>> doc.surface
    {'lead': 'leading', 'team': 'team', 'ml': 'ml'}
    """
    return analyse_many([text], [tags]).document(0)


def analyse_many(texts: Sequence[str], tags: Sequence[Sequence[str]]) -> Corpus:
    """Analyse the free text and tags of many people at once (one document each).

    Examples
    --------
    >>> corpus = analyse_many(["Leading teams", ""], [(), ("go", "Rust")])
    >>> corpus.nonempty().tolist(), corpus.concepts.doc.tolist()
    ([True, True], [0, 1, 1])
    """
    n = len(texts)
    if len(tags) != n:
        raise ValueError(f"need one tag list per text, got {len(tags)} for {n} texts")
    tag_counts = np.fromiter(map(len, tags), dtype=np.int64, count=n)
    seg_doc = np.concatenate([np.arange(n), np.repeat(np.arange(n), tag_counts)])
    seg_weight = np.where(np.arange(len(seg_doc)) < n, 1.0, TAG_WEIGHT)
    words, word_of, seg = _tokens([*texts, *chain.from_iterable(tags)])

    infos = [word_info(w) for w in words]
    stem_index: dict[str, int] = {}
    word_stem = np.array([stem_index.setdefault(s, len(stem_index)) for s, _ in infos], dtype=np.int64)
    word_content = np.array([c for _, c in infos], dtype=bool)
    ph = _phrases()
    word_phrase = np.array([ph.stem_id.get(s, 0) for s, _ in infos], dtype=np.int64)
    word_single = np.array([ph.single_words.get(w, -1) for w in words], dtype=np.int64)
    stems = tuple(stem_index)
    n_stems = len(stems)

    t_stem, t_content = word_stem[word_of], word_content[word_of]
    t_doc, t_weight = seg_doc[seg], seg_weight[seg]
    at, concept = _phrase_matches(word_phrase[word_of], seg, seg >= n, word_single[word_of])
    concepts, _ = Counts.summed(t_doc[at], concept, t_weight[at], n, len(ph.names))

    content = np.flatnonzero(t_content)
    unigrams, first = Counts.summed(t_doc[content], t_stem[content], t_weight[content], n, n_stems)
    pair = content[:-1][(np.diff(content) == 1) & (seg[content[:-1]] == seg[content[1:]])]
    pairs, _ = Counts.summed(t_doc[pair], t_stem[pair] * n_stems + t_stem[pair + 1],
                             BIGRAM_WEIGHT * t_weight[pair], n, n_stems * n_stems)
    return Corpus(n, stems, unigrams, pairs, concepts, content[first], word_of, words)


def _tokens(segments: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Distinct words, each token's word index and each token's segment index.

    The same tokens as :func:`matching.text.tokenize` on each segment, at a
    fraction of the cost: the folded segments (:func:`matching.text.fold`) are joined by
    ``_SEPARATOR``, ASCII punctuation and spaces (which never belong to a
    token nor decide one) become spaces in one byte-level pass, and
    ``str.split`` cuts the pieces. Only a distinct piece that is not plainly
    alphanumeric ("c++", "m&a", "i'm" with a curly quote) goes through the
    regular expression, and its tokens replace it wherever it occurs.
    """
    joined = f" {_SEPARATOR} ".join(map(fold, segments))
    pieces = joined.encode("utf-8", "surrogatepass").translate(_SPACES).decode("utf-8", "surrogatepass").split()
    index = dict.fromkeys(pieces, 0)
    words: dict[str, int] = {}
    piece_words: list[list[int]] = []
    for i, piece in enumerate(index):
        index[piece] = i
        found = [piece] if piece.isalnum() else tokenize(piece)
        piece_words.append([words.setdefault(w, len(words)) for w in found])
    occurrence = np.fromiter(map(index.__getitem__, pieces), dtype=np.int64, count=len(pieces))
    ids = _expand(piece_words, occurrence)
    separator = words.pop(_SEPARATOR, -1)
    is_separator = ids == separator
    seg = np.cumsum(is_separator)[~is_separator]
    ids = ids[~is_separator]
    if separator >= 0:  # renumber the words after the separator's slot
        ids -= ids > separator
    return tuple(words), ids, seg


# Bytes that end a token and take no part in deciding one: ASCII other than
# letters, digits and the characters the token rules look at (+ # & / _).
_SPACES = bytes(c if chr(c).isalnum() or c >= 128 or chr(c) in "+#&/_" else 32 for c in range(256))


def _expand(piece_words: list[list[int]], occurrence: np.ndarray) -> np.ndarray:
    """The word index of every token, from each piece occurrence and each distinct piece's words."""
    counts = np.fromiter(map(len, piece_words), dtype=np.int64, count=len(piece_words))
    if (counts == 1).all():
        return np.fromiter((w for (w,) in piece_words), dtype=np.int64, count=len(piece_words))[occurrence]
    flat = np.fromiter(chain.from_iterable(piece_words), dtype=np.int64, count=int(counts.sum()))
    start = np.cumsum(counts) - counts
    per = counts[occurrence]
    first = np.repeat(start[occurrence], per)
    offset = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    return flat[first + offset]


def _phrase_matches(phrase_stem: np.ndarray, seg: np.ndarray, in_tag: np.ndarray,
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
    at = _leftmost_longest(np.flatnonzero(length), length)
    return at, concept[at]


def _leftmost_longest(starts: np.ndarray, length: np.ndarray) -> np.ndarray:
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


#: Rounds of :func:`_leftmost_longest` before the rest is settled sequentially.
_ROUNDS = 4


def _reach_before(ends: np.ndarray) -> np.ndarray:
    """For each position, the furthest end among the phrases before it (-1 if none)."""
    reach = np.full(len(ends), -1, dtype=np.int64)
    if len(ends) > 1:
        np.maximum.accumulate(ends[:-1], out=reach[1:])
    return reach
