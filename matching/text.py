"""Words of the text score: tokens, stop words, Snowball stems and the language of a text.

The text score of a pair is a weighted sum of six cosine similarities, each
between L2-normalised vectors, so it lies in [0, 1] after clipping:

- ``concepts``: vocabulary terms found in the text or tags (aliases, multi-word
  phrases and inflections resolved, e.g. "leading a team" -> people management),
  TF-IDF weighted over the mentors;
- ``words``: stemmed content words and adjacent word pairs (TF-IDF over the
  mentors), for skills the vocabulary does not know;
- ``chars``: character 4-grams of the content stems (TF-IDF over the
  mentors), so "plumber" meets "plumbing" and "leadership" meets "leader",
  which no stemmer joins;
- ``latent``: a latent semantic space (truncated SVD) fitted on the
  vocabulary and on occupation descriptions from every field of work, so
  "midwife" is near "pregnancy" and "plumber" near "pipes";
- ``categories``: the share of each vocabulary category (engineering, data,
  leadership, ...), which relates different terms of the same area;
- ``taxonomy``: the shipped skill and occupation texts each text is most
  like (:mod:`matching.taxonomy`), so "hydrogenation machine operator"
  meets "base oils for margarine" through ESCO's skills on hydrogenating edible oils.

Stems come from the Snowball stemmers of PyStemmer, in the language each text
is written in (:func:`detect_language`). This module knows single words;
:mod:`matching.corpus` analyses whole texts and :mod:`matching.encoder` turns
them into vectors.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import Stemmer

from matching.vocabulary import alias_map, load_vocabulary

__all__ = ["BIGRAM_WEIGHT", "BLOCK_WEIGHTS", "FUNCTION_WORDS", "TAG_WEIGHT", "detect_language", "fold",
           "stem", "stemmer", "tokenize", "word_info"]

#: Weight of each similarity block in the text score (they sum to 1).
BLOCK_WEIGHTS = {"concepts": 0.05, "words": 0.05, "chars": 0.3, "latent": 0.1, "categories": 0.05,
                 "taxonomy": 0.45}
#: A tag the vocabulary knows counts this many times a mention in free text.
TAG_WEIGHT = 2.0
#: Weight of a pair of adjacent content words ("software development") next to its words.
BIGRAM_WEIGHT = 1.0
_TOKEN = re.compile(r"[^\W_]+(?:\+\+|#)?")
_JOINED = re.compile(r"\b([a-z])[&/]([a-z])\b")  # "m&a", "a/b", "d&i" stay one token
# Pieces of English contractions ("I've", "don't") that the tokenizer leaves behind.
_FRAGMENTS = {"ve", "ll", "re", "im", "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "haven",
              "hasn", "hadn", "won", "wouldn", "couldn", "shouldn"}
#: The commonest function words of the other languages profiles are written in,
#: leaving out those that are also English words or vocabulary words ("die",
#: "mit", "ai", "di", "plus"). They are stop words in every text, and they tell
#: which Snowball stemmer a text needs.
FUNCTION_WORDS = {
    "german": {"ich", "und", "der", "das", "ist", "nicht", "ein", "eine", "einen", "auf", "für", "zu",
               "von", "den", "dem", "des", "im", "als", "auch", "wie", "bei", "nach", "oder", "aber",
               "wir", "mein", "meine", "meinen", "sich", "sind", "bin", "habe", "möchte", "werden",
               "noch", "über"},
    "french": {"je", "suis", "le", "la", "les", "et", "du", "un", "une", "pour", "dans", "avec", "sur",
               "pas", "que", "qui", "mon", "mes", "au", "aux", "ce", "cette", "nous", "vous", "il",
               "elle", "j", "veux"},
    "spanish": {"soy", "el", "los", "las", "y", "del", "una", "para", "por", "mi", "lo", "como", "más",
                "pero", "yo", "quiero", "tengo"},
    "portuguese": {"eu", "sou", "o", "do", "da", "dos", "das", "um", "uma", "com", "na", "meu", "minha",
                   "não", "quero"},
    "italian": {"io", "sono", "il", "gli", "della", "che", "ho"},
    "dutch": {"ik", "ben", "het", "een", "van", "voor", "niet", "dat", "mijn", "wil", "ook"},
}
_GENERIC = {"want", "like", "would", "help", "get", "year", "years", "experience", "work",
            "working", "also", "really", "looking", "hope", "need", "good", "better", "new",
            "make", "know", "able", "way", "lot", "currently", "time", "love",
            "people", "things", "thing", "improve", "skills", "skill", "role", "job"}


@functools.cache
def _stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, our generic ones and the other languages' function words.

    Imported on first use: importing scikit-learn takes seconds, and the web
    app imports this package for its vocabulary alone.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _GENERIC | _FRAGMENTS | frozenset().union(*FUNCTION_WORDS.values())


@functools.cache
def stemmer(language: str = "english") -> Stemmer.Stemmer:
    """The Snowball stemmer of a language (a PyStemmer name: "english", "german", "french", ...).

    Examples
    --------
    >>> stemmer("german").stemWords(["entwicklung", "entwickler"])
    ['entwickl', 'entwickl']
    """
    if language not in Stemmer.algorithms():
        raise ValueError(f"no Snowball stemmer for {language!r}; known: {', '.join(Stemmer.algorithms())}")
    return Stemmer.Stemmer(language, 100_000)


def stem(word: str, language: str = "english") -> str:
    """The Snowball stem of a lowercase word, so that inflections meet.

    Examples
    --------
    >>> [stem(w) for w in ["managing", "management", "managers", "manage"]]
    ['manag', 'manag', 'manag', 'manag']
    >>> stem("développement", "french"), stem("gestiones", "spanish")
    ('développ', 'gestion')
    """
    return stemmer(language).stemWord(word)


def detect_language(words: list[str]) -> str:
    """The language whose function words a text uses most; English unless another clearly leads.

    Two function words at least, and more than English stop words: a name or
    a borrowed word ("je ne sais quoi") does not switch an English text.

    Examples
    --------
    >>> detect_language("ich möchte meine führungskompetenz stärken und das team".split())
    'german'
    >>> detect_language("i want to grow as a leader".split())
    'english'
    """
    counts = {lang: sum(w in fw for w in words) for lang, fw in FUNCTION_WORDS.items()}
    best = max(counts, key=counts.__getitem__)
    if counts[best] < 2:
        return "english"
    english = sum(w in _stop_words() and not any(w in fw for fw in FUNCTION_WORDS.values()) for w in words)
    return best if counts[best] > english else "english"


def fold(text: str) -> str:
    """Lowercase text in composed form, without the dot that lowercasing "İ" leaves ("i̇stanbul").

    A combining mark is not a word character: left decomposed ("cafe" and an
    accent) or dotted, a word would split in two.

    Examples
    --------
    >>> fold("İSTANBUL Café"), fold("cafe\u0301") == fold("café")
    ('istanbul café', True)
    """
    return unicodedata.normalize("NFC", text.lower()).replace("\u0307", "")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, keeping ``c++`` and ``c#`` whole.

    Examples
    --------
    >>> tokenize("C++ and Node.js, CI/CD, M&A!")
    ['c++', 'and', 'node', 'js', 'ci', 'cd', 'ma']
    """
    text = fold(text)
    if "&" in text or "/" in text:
        text = _JOINED.sub(r"\1\2", text)
    return _TOKEN.findall(text)


# Vocabulary entries that are ordinary English words in free text ("I want to go
# into management"); they are recognised in tags only.
_TAG_ONLY = {"go", "swift", "rust", "spark", "flask", "node", "ruby", "raise", "balance",
             "focus", "ts", "po", "ia", "em", "tl", "ops", "ds", "ic", "risk", "trust",
             "vision", "media", "training", "py", "os", "bi", "ui", "bd", "cx", "tax", "art",
             "rest", "net", "pm", "excel", "react", "discovery", "education"}


@dataclass(frozen=True)
class _Phrases:
    """Vocabulary phrases as integer keys, for looking up every position of many texts at once.

    Each stem that occurs in some phrase gets a number from 1 to ``base - 1``;
    a phrase of ``n`` stems is the integer ``sum(id[t] * base**(n-1-t))``.
    """

    stem_id: dict[str, int]
    base: int
    keys: dict[int, np.ndarray]  # phrase length -> sorted phrase keys
    concept: dict[int, np.ndarray]  # phrase length -> concept index of each key
    tag_only: dict[int, np.ndarray]  # phrase length -> key is recognised in tags only
    names: tuple[str, ...]
    categories: tuple[str, ...]
    category_of: np.ndarray  # concept index -> category index
    single_words: dict[str, int]  # a one-word term's own word (or its plural) -> concept, for free text


@functools.cache
def _phrases() -> _Phrases:
    """The shipped vocabulary's phrase tables (English Snowball stems), built once per process.

    Examples
    --------
    >>> ph = _phrases()
    >>> ph.names[ph.single_words["kubernetes"]]
    'kubernetes'
    """
    terms = load_vocabulary()
    names = tuple(t.name for t in terms)
    index = {name: i for i, name in enumerate(names)}
    concept: dict[tuple[str, ...], int] = {}
    tag_only = set()
    single_words: dict[str, int] = {}
    for alias, name in alias_map().items():
        tokens = tokenize(alias)
        key = tuple(stem(tok) for tok in tokens)
        if key:
            concept.setdefault(key, index[name])
            if alias in _TAG_ONLY:
                tag_only.add(key)
            elif len(tokens) == 1:
                for form in (tokens[0], tokens[0] + "s", tokens[0] + "es"):
                    single_words.setdefault(form, index[name])
    stem_id = {s: i + 1 for i, s in enumerate(sorted({s for key in concept for s in key}))}
    base = len(stem_id) + 1
    by_length: dict[int, list[tuple[int, int, bool]]] = {}
    for key, c in concept.items():
        code = 0
        for s in key:
            code = code * base + stem_id[s]
        by_length.setdefault(len(key), []).append((code, c, key in tag_only))
    for rows in by_length.values():
        rows.sort()
    categories = tuple(dict.fromkeys(t.category for t in terms))
    cat_index = {c: i for i, c in enumerate(categories)}
    return _Phrases(
        stem_id=stem_id,
        base=base,
        keys={n: np.array([r[0] for r in rows], dtype=np.int64) for n, rows in by_length.items()},
        concept={n: np.array([r[1] for r in rows], dtype=np.int64) for n, rows in by_length.items()},
        tag_only={n: np.array([r[2] for r in rows], dtype=bool) for n, rows in by_length.items()},
        names=names,
        categories=categories,
        category_of=np.array([cat_index[t.category] for t in terms]),
        single_words=single_words,
    )


_WORDS: dict[str, tuple[str, bool]] = {}


def word_info(word: str) -> tuple[str, bool]:
    """(English stem, whether it is a content word), cached per distinct word.

    Examples
    --------
    >>> word_info("managers"), word_info("the")
    (('manag', True), ('the', False))
    """
    info = _WORDS.get(word)
    if info is None:
        key = stem(word)
        stop = _stop_words()
        info = (key, word not in stop and key not in stop and len(key) > 1 and not key.isdigit())
        if len(_WORDS) < 500_000:
            _WORDS[word] = info
    return info
