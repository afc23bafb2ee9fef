"""Plain-word reasons for a pair, built only from what actually scored."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

from matching.corpus import Document
from matching.languages import language_name, normalize_language
from matching.model import Mentee, Mentor
from matching.text import _phrases, stem, tokenize
from matching.vocabulary import load_vocabulary

__all__ = ["Rarity", "pair_reasons", "reasons_of_pairs"]


class Rarity(Protocol):
    """How rare a stem or a vocabulary term is among the mentors (their IDF)."""

    def stem_idf(self, stem: str) -> float: ...

    def concept_idf(self, concept: int) -> float: ...


#: Time-zone gaps up to this many hours are worth a reason.
CLOSE_HOURS = 3.0
#: Least text score (calibrated) for "Related topics in ...": below it the
#: pair shares an area of the vocabulary and little else.
RELATED_MIN = 0.3
#: Areas nearly every mentee touches ("grow my career"): never a reason on their own.
_GENERIC_CATEGORIES = ("career",)
#: Words that score but say nothing a mentee would call a shared topic
#: ("You both mention learn" is true of almost every pair).
_WEAK_REASON_STEMS = frozenset({"learn", "grow", "growth", "mov", "becom", "start", "teach",
                                "mentor", "coach", "goal", "understand", "get", "use", "happy",
                                "support", "build", "experienc", "improv", "process", "http", "https",
                                "www", "com", "org", "html", "built", "enjoy", "creat", "run"})
#: Most items one "You both mention ..." names.
_MOST_NAMED = 3


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _text_reason(mentee_doc: Document, mentor_doc: Document, text_score: float, rarity: Rarity) -> str | None:
    """What the two texts share, most telling first: vocabulary terms and plain words together.

    Each shared term or word is ranked by what it adds to the text score
    (count on each side times its rarity among mentors, squared), so
    "oncology" comes before "mentoring", which nearly every mentor writes.
    A word that is part of a vocabulary term on one side only is not named
    alone: "management" shared by "project management" and "pain
    management" is not a shared topic (on both sides, as in "engineering
    management" and "people management", it is).
    """
    ph = _phrases()
    shared = mentee_doc.concepts.keys() & mentor_doc.concepts.keys()
    named = [(-mentee_doc.concepts[c] * mentor_doc.concepts[c] * rarity.concept_idf(c) ** 2, ph.names[c])
             for c in shared]
    # words of a shared term are named by it; words of a term on one side only mislead
    said = (_in_terms(mentee_doc.concepts) ^ _in_terms(mentor_doc.concepts)) | _in_terms(shared)
    named += [(-mentee_doc.stems[w] * mentor_doc.stems[w] * rarity.stem_idf(w) ** 2, word)
              for w, word in mentee_doc.surface.items()  # single words, not pairs
              if w in mentor_doc.stems and w not in said and _worth_naming(w, word)
              and _written(word, mentor_doc.words)]
    if named:
        names = list(dict.fromkeys(name for _, name in sorted(named)))
        return "You both mention " + _join(names[:_MOST_NAMED])
    if text_score < RELATED_MIN:  # a shared area alone says little; on a weak text match, nothing
        return None
    cats = {ph.category_of[c] for c in mentee_doc.concepts} & {ph.category_of[c] for c in mentor_doc.concepts}
    cats -= {ph.categories.index(c) for c in _GENERIC_CATEGORIES if c in ph.categories}
    if cats:
        return "Related topics in " + _join(sorted(ph.categories[c] for c in cats))
    return None


def _written(word: str, words: frozenset[str]) -> bool:
    """Whether a text holds ``word`` itself or its plural or singular ("team", "teams").

    Stems meet more widely ("experience" and "experiment", "animal" and
    "animation" share one): a reason names only a word both people wrote.

    Examples
    --------
    >>> _written("teams", frozenset({"team"})), _written("animal", frozenset({"animation"}))
    (True, False)
    """
    if word in words or word + "s" in words or word + "es" in words:
        return True
    return (word.endswith("es") and word[:-2] in words) or (word.endswith("s") and word[:-1] in words)


def _worth_naming(stem_: str, word: str) -> bool:
    """A shared word a mentee would call a topic: not filler, a number, a fragment or a web address."""
    return len(word) > 2 and stem_ not in _WEAK_REASON_STEMS and not any(c.isdigit() for c in word)


def _in_terms(concepts: Iterable[int]) -> frozenset[str]:
    """The stems of some vocabulary terms' names and aliases."""
    return frozenset().union(*(_term_stems(c) for c in concepts))


@functools.cache
def _term_stems(concept: int) -> frozenset[str]:
    """The stems of a vocabulary term's name and aliases."""
    term = load_vocabulary()[concept]
    return frozenset(stem(t) for text in (term.name, *term.aliases) for t in tokenize(text))


def _hours(gap: float) -> str:
    """'Same time zone', '30 minutes apart', '1 hour apart', '4.5 hours apart'."""
    if gap < 1e-9:
        return "Same time zone"
    if gap < 1:
        return f"{round(gap * 60)} minutes apart"
    return f"{gap:g} hour apart" if gap == 1 else f"{gap:g} hours apart"


def _as_written(name: str) -> str:
    """A name for the middle of a sentence: lowercase ("fintech"), unless written
    with capitals past its first letter ("IT", "SaaS")."""
    name = name.strip()
    return name if any(c.isupper() for c in name[1:]) else name.lower()


def pair_reasons(parts: dict, at: tuple[int, int], weights: dict[str, float], mentee: Mentee,
                 mentor: Mentor, documents: Callable[[], tuple[Document, Document]], rarity: Rarity) -> list[str]:
    """Reasons for one pair, strongest contribution first.

    ``parts`` are the per-criterion arrays of a scored block and ``at`` the
    pair's position in them. A criterion yields a reason only when the mentee
    filled it in and it scored above zero for this pair. ``documents`` gives
    the mentee's and the mentor's analysed texts, read only when the text scored.
    """
    found: list[tuple[float, str]] = []

    def scored(criterion: str) -> float:
        known = parts["known"][criterion][at[0], 0]
        return float(parts["scores"][criterion][at]) * weights[criterion] if known else 0.0

    if (value := scored("text")) > 0 and (
            text := _text_reason(*documents(), float(parts["scores"]["text"][at]), rarity)):
        found.append((value, text))
    if (value := scored("language")) > 0 and mentor.languages:
        if shared := _shared_languages(mentee.languages, mentor.languages):
            found.append((value, shared))
    if (value := scored("timezone")) > 0 and mentor.timezone:
        gap = 12.0 * (1.0 - float(parts["scores"]["timezone"][at]))
        if gap <= CLOSE_HOURS + 1e-9:
            found.append((value, _hours(round(gap * 4) / 4)))
    if (value := scored("experience")) > 0 and mentor.years_experience is not None:
        years = mentor.years_experience
        found.append((value, f"{years:g} year of experience" if years == 1 else f"{years:g} years of experience"))
    if (value := scored("industry")) > 0 and mentor.industry:
        found.append((value, f"Both work in {_as_written(mentor.industry)}"))
    return [reason for _, reason in sorted(found, key=lambda f: -f[0])]  # stable: ties keep criterion order


@functools.lru_cache(maxsize=4096)
def _shared_languages(mentee: tuple[str, ...], mentor: tuple[str, ...]) -> str | None:
    """"Both speak ..." for the languages both give, in the mentee's order (None when none).

    People give few distinct lists of languages, so a round's thousands of pairs name a few dozen.
    """
    mentor_codes = {normalize_language(c) for c in mentor} - {""}
    shared = dict.fromkeys(code for code in map(normalize_language, mentee) if code in mentor_codes)
    return "Both speak " + _join([language_name(c) for c in shared]) if shared else None


def reasons_of_pairs(parts: dict, weights: dict[str, float], mentees: Sequence[Mentee],
                     mentors: Sequence[Mentor], documents: Callable[[int], tuple[Document, Document]],
                     rarity: Rarity) -> list[list[str]]:
    """:func:`pair_reasons` of each pair ``p`` of ``parts`` (shape (pairs, 1)): ``mentees[p]``, ``mentors[p]``.

    ``documents(p)`` gives the pair's two analysed texts; a pair that is not
    allowed (total ``-inf``) has no reasons.
    """
    allowed = np.isfinite(parts["total"][:, 0]).tolist()
    return [pair_reasons(parts, (p, 0), weights, mentees[p], mentors[p], functools.partial(documents, p), rarity)
            if ok else [] for p, ok in enumerate(allowed)]
