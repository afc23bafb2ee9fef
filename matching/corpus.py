"""Analyse many texts at once: vocabulary concepts, content stems and word pairs.

A round analyses the goals of every mentee and the profile of every mentor.
Walking each text word by word in Python was most of a round's time, so a
batch is tokenised in one pass over one joined string and every later step
(stems, phrase lookup, word pairs, counting) works on numpy arrays: Python
only touches each *distinct* word once, and the few phrase matches.

Each person contributes one free text (weight 1) and any number of tags
(weight ``TAG_WEIGHT``). Phrases and word pairs never cross from one text or
tag into the next, and vocabulary entries that are ordinary English words
("go", "rust") count as concepts in tags only. Each document is stemmed with
the Snowball stemmer of its language (:func:`matching.text.detect_language`);
vocabulary phrases, which are English, are found by English stems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from matching.duals import ranges
from matching.spans import phrase_matches
from matching.text import (
    BIGRAM_WEIGHT,
    FUNCTION_WORDS,
    TAG_WEIGHT,
    _phrases,
    _stop_words,
    fold,
    stemmer,
    tokenize,
    word_info,
)

__all__ = ["Corpus", "Counts", "Document", "analyse", "analyse_many"]

# Joins the texts of a batch. Upper case cannot survive str.lower(), so this
# token can only come from the join and marks where one text ends.
_SEPARATOR = "Q"


@dataclass(frozen=True)
class Document:
    """One person's analysed text: concept weights, stem counts, a stem -> first word map and its content words."""

    concepts: dict[int, float]
    stems: dict[str, float]  # single stems and "stem stem" pairs
    surface: dict[str, str]  # content stems in the order they first appear
    words: frozenset[str] = frozenset()  # content words as written (folded)

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
    by stem number, ``pairs`` by ``first * len(stems) + second``,
    ``concepts`` by vocabulary term index and ``content`` (the content words
    as written, for character n-grams) by index into ``words``.
    """

    n_docs: int
    stems: tuple[str, ...]
    unigrams: Counts
    pairs: Counts
    concepts: Counts
    first_token: np.ndarray  # token position where each unigram entry first occurs
    token_word: np.ndarray  # each token's index into ``words``
    words: tuple[str, ...]
    content: Counts

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
                        counts, surface,
                        frozenset(self.words[w] for w in self.content.key[self.content.of(i)].tolist()))


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

    t_doc, t_weight = seg_doc[seg], seg_weight[seg]
    t_stem, t_content = word_stem[word_of], word_content[word_of]
    _restem(t_stem, _languages(words, word_of, t_doc, n), words, word_of, t_doc, stem_index)
    stems = tuple(stem_index)
    n_stems = len(stems)
    at, concept = phrase_matches(word_phrase[word_of], seg, seg >= n, word_single[word_of])
    concepts, _ = Counts.summed(t_doc[at], concept, t_weight[at], n, len(ph.names))

    content = np.flatnonzero(t_content)
    unigrams, first = Counts.summed(t_doc[content], t_stem[content], t_weight[content], n, n_stems)
    pair = content[:-1][(np.diff(content) == 1) & (seg[content[:-1]] == seg[content[1:]])]
    pairs, _ = Counts.summed(t_doc[pair], t_stem[pair] * n_stems + t_stem[pair + 1],
                             BIGRAM_WEIGHT * t_weight[pair], n, n_stems * n_stems)
    written, _ = Counts.summed(t_doc[content], word_of[content], t_weight[content], n, len(words))
    return Corpus(n, stems, unigrams, pairs, concepts, content[first], word_of, words, written)


#: Languages :func:`_languages` tells apart, in column order; column 0 is English.
_LANGUAGES = ("english", *FUNCTION_WORDS)


def _languages(words: tuple[str, ...], word_of: np.ndarray, t_doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Each document's language (index into ``_LANGUAGES``), as :func:`matching.text.detect_language` decides.

    Counted for all documents at once: each distinct word votes for the
    language whose function word it is (English for the other stop words).
    """
    column = {w: k for k, lang in enumerate(_LANGUAGES[1:], start=1) for w in FUNCTION_WORDS[lang]}
    stop = _stop_words()
    word_lang = np.array([column.get(w, 0 if w in stop else -1) for w in words], dtype=np.int64)
    t_lang = word_lang[word_of]
    voted = t_lang >= 0
    votes = np.bincount(t_doc[voted] * len(_LANGUAGES) + t_lang[voted],
                        minlength=n_docs * len(_LANGUAGES)).reshape(n_docs, len(_LANGUAGES))
    best = 1 + np.argmax(votes[:, 1:], axis=1) if len(_LANGUAGES) > 1 else np.zeros(n_docs, np.int64)
    top = votes[np.arange(n_docs), best]
    return np.where((top >= 2) & (top > votes[:, 0]), best, 0)


def _restem(t_stem: np.ndarray, doc_lang: np.ndarray, words: tuple[str, ...], word_of: np.ndarray,
            t_doc: np.ndarray, stem_index: dict[str, int]) -> None:
    """Replace, in place, the English stems of the tokens of other-language documents by their language's.

    New stems are numbered after those ``stem_index`` holds.
    """
    t_lang = doc_lang[t_doc]
    for k in np.unique(doc_lang[doc_lang > 0]).tolist():
        tokens = np.flatnonzero(t_lang == k)
        distinct, inverse = np.unique(word_of[tokens], return_inverse=True)
        found = stemmer(_LANGUAGES[k]).stemWords([words[w] for w in distinct.tolist()])
        ids = np.array([stem_index.setdefault(s, len(stem_index)) for s in found], dtype=np.int64)
        t_stem[tokens] = ids[inverse.ravel()]


def _tokens(segments: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Distinct words, each token's word index and each token's segment index.

    A text given more than once (tags, mostly: many people grow the same
    skills) is cut once and its tokens repeated; a word's first appearance
    is always in the first copy of its text, so words are numbered as if
    every copy had been cut.
    """
    distinct = dict.fromkeys(segments, 0)
    if len(distinct) == len(segments):
        return _distinct_tokens(segments)
    for i, text in enumerate(distinct):
        distinct[text] = i
    words, ids, seg = _distinct_tokens(list(distinct))
    which = np.fromiter(map(distinct.__getitem__, segments), dtype=np.int64, count=len(segments))
    per_text = np.bincount(seg, minlength=len(distinct))
    counts = per_text[which]
    at = ranges((np.cumsum(per_text) - per_text)[which], counts)
    return words, ids[at], np.repeat(np.arange(len(segments)), counts)


def _distinct_tokens(segments: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """:func:`_tokens` of segments cut one by one (each copy of a text again).

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
