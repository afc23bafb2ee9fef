"""Text relevance: what a mentee wants against what a mentor can give.

The text score of a pair is a weighted sum of four cosine similarities, each
between L2-normalised vectors, so it lies in [0, 1] after clipping:

- ``concepts``: vocabulary terms found in the text or tags (aliases, multi-word
  phrases and inflections resolved, e.g. "leading a team" -> people management),
  TF-IDF weighted over the mentors;
- ``words``: stemmed content words and adjacent word pairs (TF-IDF over the
  mentors), for skills the vocabulary does not know;
- ``latent``: a latent semantic space (truncated SVD of one gloss document
  per vocabulary term: its name, aliases and category), so related terms and
  words share directions even in a small program;
- ``categories``: the share of each vocabulary category (engineering, data,
  leadership, ...), which relates different terms of the same area.
"""

from __future__ import annotations

import functools
import re
from itertools import chain, repeat
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from matching.vocabulary import alias_map, load_vocabulary

__all__ = ["BLOCK_WEIGHTS", "Document", "analyse", "stem", "tokenize"]

#: Weight of each similarity block in the text score (they sum to 1).
BLOCK_WEIGHTS = {"concepts": 0.2, "words": 0.65, "latent": 0.1, "categories": 0.05}
#: A tag the vocabulary knows counts this many times a mention in free text.
TAG_WEIGHT = 2.0
#: Weight of a pair of adjacent content words ("software development") next to its words.
BIGRAM_WEIGHT = 1.0
_TOKEN = re.compile(r"[^\W_]+(?:\+\+|#)?")
_JOINED = re.compile(r"\b([a-z])[&/]([a-z])\b")  # "m&a", "a/b", "d&i" stay one token
# Vocabulary entries that are ordinary English words in free text ("I want to go
# into management"); they are recognised in tags only.
_TAG_ONLY = {"go", "swift", "rust", "spark", "flask", "node", "ruby", "raise", "balance",
             "focus", "ts", "po", "ia", "em", "tl", "ops", "ds", "ic", "risk", "trust",
             "vision", "media", "training", "py", "os", "bi", "ui", "bd", "cx", "tax", "art"}
_GENERIC = {"want", "like", "would", "help", "get", "year", "years", "experience", "work",
            "working", "also", "really", "looking", "hope", "need", "good", "better", "new",
            "make", "know", "able", "way", "lot", "currently", "time", "currently", "love",
            "people", "things", "thing", "improve", "skills", "skill", "role", "job"}
_STOP = frozenset(ENGLISH_STOP_WORDS) | _GENERIC
# (suffix, replacement), longest first; applied repeatedly while the stem keeps >= 3 chars.
_SUFFIXES = (("izations", "iz"), ("isations", "iz"), ("ization", "iz"), ("isation", "iz"),
             ("izing", "iz"), ("ising", "iz"), ("ized", "iz"), ("ised", "iz"), ("ize", "iz"),
             ("ations", ""), ("ation", ""), ("ating", ""), ("ated", ""), ("ates", ""),
             ("ators", ""), ("ator", ""), ("ate", ""), ("ments", ""), ("ment", ""),
             ("ships", ""), ("ship", ""), ("ness", ""), ("ities", ""), ("ity", ""),
             ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"), ("ers", ""), ("er", ""),
             ("ally", ""), ("ly", ""), ("ed", ""), ("sses", "ss"), ("es", "e"), ("s", ""),
             ("e", ""))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Reduce an English word to a crude stem so inflections meet.

    Examples
    --------
    >>> [stem(w) for w in ["managing", "management", "managers", "manage"]]
    ['manag', 'manag', 'manag', 'manag']
    """
    for _ in range(3):
        for suffix, repl in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 3:
                if suffix == "s" and word.endswith(("ss", "us", "is")):
                    continue
                word = word[: len(word) - len(suffix)] + repl
                break
        else:
            break
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, keeping ``c++`` and ``c#`` whole.

    Examples
    --------
    >>> tokenize("C++ and Node.js, CI/CD, M&A!")
    ['c++', 'and', 'node', 'js', 'ci', 'cd', 'ma']
    """
    text = text.lower()
    if "&" in text or "/" in text:
        text = _JOINED.sub(r"\1\2", text)
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class _Phrases:
    """Vocabulary phrases as stem tuples, indexed by their first stem."""

    by_first: dict[str, tuple[int, ...]]  # first stem -> phrase lengths, longest first
    concept: dict[tuple[str, ...], int]  # stem tuple -> concept index
    tag_only: frozenset[tuple[str, ...]]
    names: tuple[str, ...]
    categories: tuple[str, ...]
    category_of: np.ndarray  # concept index -> category index


@functools.cache
def _phrases() -> _Phrases:
    terms = load_vocabulary()
    names = tuple(t.name for t in terms)
    index = {name: i for i, name in enumerate(names)}
    concept: dict[tuple[str, ...], int] = {}
    tag_only = set()
    for alias, name in alias_map().items():
        key = tuple(stem(tok) for tok in tokenize(alias))
        if key:
            concept.setdefault(key, index[name])
            if alias in _TAG_ONLY:
                tag_only.add(key)
    lengths: dict[str, set[int]] = {}
    for key in concept:
        lengths.setdefault(key[0], set()).add(len(key))
    categories = tuple(dict.fromkeys(t.category for t in terms))
    cat_index = {c: i for i, c in enumerate(categories)}
    return _Phrases(
        by_first={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
        concept=concept,
        tag_only=frozenset(tag_only),
        names=names,
        categories=categories,
        category_of=np.array([cat_index[t.category] for t in terms]),
    )


@dataclass(frozen=True)
class Document:
    """A person's analysed text: concept weights, stem counts and a stem -> word map."""

    concepts: dict[int, float]
    stems: dict[str, float]
    surface: dict[str, str]

    @property
    def empty(self) -> bool:
        """True when neither words nor concepts were found."""
        return not self.concepts and not self.stems


def analyse(text: str, tags: tuple[str, ...]) -> Document:
    """Find vocabulary concepts and content stems in free text plus tags.

    Examples
    --------
    >>> doc = analyse("I'd love help leading a team", ("ML",))
    >>> sorted(_phrases().names[c] for c in doc.concepts)
    ['machine learning', 'people management']
    """
    concepts: dict[int, float] = {}
    stems: dict[str, float] = {}
    surface: dict[str, str] = {}
    for found, counted, seen in [_terms(text, 1.0, False), *map(_tag_terms, tags)]:
        for c, w in found:
            concepts[c] = concepts.get(c, 0.0) + w
        for key, w in counted:
            stems[key] = stems.get(key, 0.0) + w
        for key, word in seen:
            surface.setdefault(key, word)
    return Document(concepts, stems, surface)


@functools.lru_cache(maxsize=50_000)
def _tag_terms(tag: str) -> tuple[tuple, tuple, tuple]:
    """The terms of one tag: tags come from short lists, so most repeat across people."""
    return _terms(tag, TAG_WEIGHT, True)


def _terms(source: str, weight: float, tag: bool) -> tuple[tuple, tuple, tuple]:
    """Concept counts, stem counts and (stem, first word) pairs of one text or tag."""
    ph = _phrases()
    concepts: dict[int, float] = {}
    stems: dict[str, float] = {}
    surface: dict[str, str] = {}
    words = tokenize(source)
    infos = [_WORDS.get(w) or _word_info(w) for w in words]
    keys = [info[0] for info in infos]
    i, n = 0, len(keys)
    while i < n:
        step = 1
        for length in ph.by_first.get(keys[i], ()):
            key = tuple(keys[i : i + length])
            c = ph.concept.get(key)
            if c is not None and (tag or key not in ph.tag_only):
                concepts[c] = concepts.get(c, 0.0) + weight
                step = length
                break
        i += step
    previous = None
    for word, (key, content) in zip(words, infos, strict=True):
        if content:
            stems[key] = stems.get(key, 0.0) + weight
            surface.setdefault(key, word)
            if previous is not None:
                pair = previous + " " + key
                stems[pair] = stems.get(pair, 0.0) + BIGRAM_WEIGHT * weight
        previous = key if content else None
    return tuple(concepts.items()), tuple(stems.items()), tuple(surface.items())


_WORDS: dict[str, tuple[str, bool]] = {}


def _word_info(word: str) -> tuple[str, bool]:
    """(stem, whether it is a content word), cached per distinct word."""
    key = stem(word)
    info = (key, word not in _STOP and key not in _STOP and len(key) > 1 and not key.isdigit())
    if len(_WORDS) < 500_000:
        _WORDS[word] = info
    return info


def _tfidf(rows: list[dict], columns: dict, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF rows from ``{feature: count}`` dicts, L2-normalised."""
    # Flattened with C-level iterators: this runs over every mentee of a round.
    keys = list(chain.from_iterable(rows))
    counts = np.fromiter(chain.from_iterable(r.values() for r in rows), dtype=float, count=len(keys))
    cols = np.fromiter(map(columns.get, keys, repeat(-1)), dtype=np.int64, count=len(keys))
    row_of = np.repeat(np.arange(len(rows)), np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)))
    keep = cols >= 0
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[keep], minlength=len(rows)), out=indptr[1:])
    data = (1.0 + np.log(counts[keep])) * idf[cols[keep]]
    matrix = sp.csr_matrix((data, cols[keep], indptr), shape=(len(rows), len(columns)))
    matrix.sum_duplicates()
    return normalize_rows(matrix)


def normalize_rows(matrix: sp.csr_matrix | np.ndarray) -> sp.csr_matrix | np.ndarray:
    """Scale every non-zero row to unit L2 norm (sparse CSR or dense; zero rows stay zero)."""
    if sp.issparse(matrix):
        counts = np.diff(matrix.indptr)
        row = np.repeat(np.arange(matrix.shape[0]), counts)
        norms = np.sqrt(np.bincount(row, weights=matrix.data**2, minlength=matrix.shape[0]))
        matrix.data /= np.where(norms > 0, norms, 1.0)[row]
        return matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _idf(rows: list[dict], columns: dict) -> np.ndarray:
    df = np.zeros(len(columns))
    for row in rows:
        for key in row:
            if key in columns:
                df[columns[key]] += 1
    return np.log((1 + len(rows)) / (1 + df)) + 1.0
