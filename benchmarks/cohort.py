"""Deterministic generator of realistic mentoring cohorts for the benchmarks.

Uniform random profiles make matching look easier or harder than it is: real
programs have clusters of interest (most people care about a few related
topics), a majority language with minorities who are harder to serve, time zones
that follow language, and far fewer mentor slots than mentees. The generator
models those traits so that speed, score and equity figures mean something.

Profiles are returned as plain keyword dictionaries for ``matching.Mentor`` and
``matching.Mentee`` so this module has no dependency on the engine.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np

VOCABULARY = Path(__file__).resolve().parent.parent / "matching" / "data" / "vocabulary.json"

# First language -> (weight, IANA zones where its speakers tend to live).
LANGUAGES: dict[str, tuple[float, tuple[str, ...]]] = {
    "en": (0.52, ("America/New_York", "America/Chicago", "America/Denver",
                  "America/Los_Angeles", "America/Toronto", "Europe/London",
                  "Europe/Dublin", "Australia/Sydney", "Pacific/Auckland",
                  "Africa/Lagos", "Africa/Johannesburg", "Asia/Singapore")),
    "de": (0.08, ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich")),
    "fr": (0.07, ("Europe/Paris", "Europe/Brussels", "America/Montreal", "Africa/Dakar")),
    "es": (0.09, ("Europe/Madrid", "America/Mexico_City", "America/Bogota",
                  "America/Argentina/Buenos_Aires")),
    "pt": (0.06, ("America/Sao_Paulo", "Europe/Lisbon")),
    "hi": (0.07, ("Asia/Kolkata",)),
    "ja": (0.04, ("Asia/Tokyo",)),
    "zh": (0.03, ("Asia/Shanghai", "Asia/Taipei")),
    "ar": (0.02, ("Asia/Dubai", "Africa/Cairo")),
    "pl": (0.02, ("Europe/Warsaw",)),
}
INDUSTRIES = ("software", "fintech", "healthcare", "e-commerce", "consulting", "education",
              "manufacturing", "media", "public sector", "telecom", "energy", "retail",
              "gaming", "biotech", "logistics", "non-profit")
TITLES = ("Engineering manager", "Staff engineer", "Product manager", "Data scientist",
          "Designer", "Consultant", "Director", "Founder", "Team lead", "Analyst",
          "Researcher", "Principal engineer", "Head of operations", "Marketing lead")
ROLES = ("junior developer", "senior engineer", "analyst", "designer", "new manager",
         "career changer", "graduate", "product owner", "researcher", "support engineer")
REGIONS = {"America": "Americas", "Europe": "Europe & Africa", "Africa": "Europe & Africa",
           "Asia": "Asia-Pacific", "Australia": "Asia-Pacific", "Pacific": "Asia-Pacific"}
CAPACITY_WEIGHTS = (0.25, 0.30, 0.25, 0.12, 0.08)  # capacity 1..5; mean about 2.5

GOAL_TEMPLATES = (
    "I'd like to move into {a} and get better at {b}.",
    "I want to learn {a} and {b}.",
    "Looking for someone to help me with {a}; I also want to improve my {b}.",
    "My goal this year is to get stronger at {a} and {b}.",
    "I'm a {role} hoping to grow in {a}.",
    "I keep struggling with {a}. Any guidance on {b} would help too.",
    "Next step for me: {a}. I'd also love advice on {b} and {c}.",
    "As a {role} I want to build real experience in {a} and {c}.",
)
ABOUT_TEMPLATES = (
    "{title} with {years} years in {industry}. I've worked a lot on {a} and {b}, "
    "and enjoy helping people with {c}.",
    "I lead teams in {industry}; most of my work is {a}, {b} and {c}.",
    "Over {years} years I've done {a} and {b}. Happy to mentor on {c}.",
    "{title} in {industry}. Ask me about {a}, {b} or {c}.",
    "I started out in {b} and now focus on {a}. I like mentoring on {c}.",
)


@dataclass(frozen=True)
class Term:
    """One skill or goal: its canonical name, a category and the other ways people say it."""

    name: str
    category: str
    aliases: tuple[str, ...] = ()


@dataclass
class Cohort:
    """A generated program: keyword dicts for the engine plus mentee group labels."""

    mentors: list[dict[str, Any]]
    mentees: list[dict[str, Any]]

    @property
    def capacity(self) -> np.ndarray:
        return np.array([m["capacity"] for m in self.mentors], dtype=np.int64)

    @property
    def groups(self) -> np.ndarray:
        """The default grouping for coverage reports: first language."""
        return self.groupings()["first language"]

    def groupings(self) -> dict[str, np.ndarray]:
        """Ways to split mentees when asking whether a round serves everyone alike.

        First language is the obvious split; whether a mentee speaks English at
        all and the region of their time zone are where the hard constraints
        (shared language) and the time-zone criterion actually bite.
        """
        def label(fn: Callable[[dict[str, Any]], str]) -> np.ndarray:
            return np.array([fn(m) for m in self.mentees], dtype=object)
        return {
            "first language": label(lambda m: "English first" if m["languages"][0] == "en"
                                    else "other first language"),
            "English": label(lambda m: "speaks English" if "en" in m["languages"]
                             else "no English"),
            "region": label(lambda m: REGIONS.get(m["timezone"].split("/")[0], "other")),
        }


def load_terms(path: Path = VOCABULARY) -> list[Term]:
    """Read the engine's vocabulary so generated text uses the words it knows about."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Term(t["name"], t.get("category", "general"), tuple(t.get("aliases", ())))
            for t in data["terms"]]


class _Drawer:
    """Draws clustered terms: people care about one area plus a few stray topics."""

    def __init__(self, terms: Sequence[Term], rng: random.Random) -> None:
        if not terms:
            raise ValueError("the vocabulary has no terms")
        self.terms = list(terms)
        self.rng = rng
        self.by_category: dict[str, list[int]] = {}
        for i, term in enumerate(self.terms):
            self.by_category.setdefault(term.category, []).append(i)
        self.categories = sorted(self.by_category)
        self.category_cum = list(accumulate(len(self.by_category[c]) for c in self.categories))

    def draw(self, n: int) -> list[Term]:
        rng = self.rng
        home = self.by_category[rng.choices(self.categories, cum_weights=self.category_cum)[0]]
        n = min(n, len(self.terms))
        picked: list[int] = []
        tries = 0
        while len(picked) < n:
            # Mostly from the home area; after a few misses any term will do.
            near = rng.random() < 0.75 and tries < 4 * n
            pool = home if near else range(len(self.terms))
            i = pool[rng.randrange(len(pool))]
            tries += 1
            if i not in picked:
                picked.append(i)
        return [self.terms[i] for i in picked]

    def say(self, term: Term) -> str:
        """How a person writes a term: usually its name, sometimes an alias."""
        if term.aliases and self.rng.random() < 0.3:
            return self.rng.choice(term.aliases)
        return term.name


def _languages(rng: random.Random, codes: list[str], cum: list[float]) -> list[str]:
    first = rng.choices(codes, cum_weights=cum)[0]
    spoken = [first]
    if first != "en" and rng.random() < 0.7:
        spoken.append("en")
    if rng.random() < 0.15:
        other = rng.choices(codes, cum_weights=cum)[0]
        if other not in spoken:
            spoken.append(other)
    return spoken


def _timezone(rng: random.Random, first_language: str) -> str:
    zones = LANGUAGES[first_language][1]
    if rng.random() < 0.1:  # people living abroad
        zones = LANGUAGES[rng.choice(list(LANGUAGES))][1]
    return rng.choice(zones)


def make_cohort(n_mentees: int, n_mentors: int, *, seed: int = 0,
                terms: Sequence[Term] | None = None) -> Cohort:
    """Generate ``n_mentees`` mentees and ``n_mentors`` mentors, the same for a seed.

    Mentor ids are ``1..n_mentors`` and mentee ids follow them, so no mentee is
    mistaken for a mentor with the same id. About 2% of mentees exclude one or
    two mentors, as after an ended mentorship.
    """
    rng = random.Random(seed)  # scalar draws; much faster than numpy's per call
    drawer = _Drawer(terms if terms is not None else load_terms(), rng)
    codes = list(LANGUAGES)
    lang_cum = list(accumulate(LANGUAGES[c][0] for c in codes))
    capacity_cum = list(accumulate(CAPACITY_WEIGHTS))

    mentors = []
    for i in range(n_mentors):
        spoken = _languages(rng, codes, lang_cum)
        topics = drawer.draw(rng.randint(3, 6))
        years = rng.randint(5, 30)
        industry = rng.choice(INDUSTRIES)
        about = rng.choice(ABOUT_TEMPLATES).format(
            title=rng.choice(TITLES), years=years, industry=industry,
            a=drawer.say(topics[0]), b=drawer.say(topics[1]), c=drawer.say(topics[2]))
        mentors.append(dict(
            id=i + 1, about=about, expertise=[t.name for t in topics], languages=spoken,
            timezone=_timezone(rng, spoken[0]), years_experience=years, industry=industry,
            capacity=rng.choices(range(1, 6), cum_weights=capacity_cum)[0]))

    mentees = []
    for j in range(n_mentees):
        spoken = _languages(rng, codes, lang_cum)
        topics = drawer.draw(rng.randint(3, 5))
        goals = rng.choice(GOAL_TEMPLATES).format(
            role=rng.choice(ROLES), a=drawer.say(topics[0]),
            b=drawer.say(topics[1]), c=drawer.say(topics[2]))
        grow = topics[: rng.randint(1, len(topics))]
        exclude: frozenset[int] = frozenset()
        if n_mentors and rng.random() < 0.02:
            exclude = frozenset(rng.randint(1, n_mentors) for _ in range(2))
        mentees.append(dict(
            id=n_mentors + j + 1, goals=goals, skills_to_grow=[t.name for t in grow],
            languages=spoken, timezone=_timezone(rng, spoken[0]),
            years_experience=rng.randint(0, 15),
            industry=rng.choice(INDUSTRIES), exclude=exclude))
    return Cohort(mentors=mentors, mentees=mentees)


def with_rich_text(cohort: Cohort, *, seed: int = 0, mentor_words: int = 40, mentee_words: int = 20,
                   vocabulary: int = 60_000) -> Cohort:
    """The same cohort with longer, wider free text, closer to what people really write.

    Generated goals and profiles use a few thousand distinct words; real ones
    run to tens of thousands (names of tools, employers, places, typos). Each
    mentor's ``about`` gains ``mentor_words`` and each mentee's ``goals``
    ``mentee_words`` pseudo-words drawn with Zipf frequencies from a
    ``vocabulary`` of letter strings, which stresses the engine the way such
    text does: many more word columns and word pairs, and more of them per
    person.
    """
    rng = np.random.default_rng(seed + 7919)
    letters = np.array(list("abcdefghiklmnoprstuvwy"))
    words = ["".join(rng.choice(letters, size=int(rng.integers(4, 10)))) for _ in range(vocabulary)]
    frequency = 1.0 / np.arange(1, vocabulary + 1) ** 1.05

    def extra(count: int, people: int) -> list[str]:
        picks = rng.choice(vocabulary, size=(people, count), p=frequency / frequency.sum())
        return [" ".join(words[i] for i in row) for row in picks]

    mentors = [m | {"about": m["about"] + " " + more}
               for m, more in zip(cohort.mentors, extra(mentor_words, len(cohort.mentors)), strict=True)]
    mentees = [m | {"goals": m["goals"] + " " + more}
               for m, more in zip(cohort.mentees, extra(mentee_words, len(cohort.mentees)), strict=True)]
    return Cohort(mentors=mentors, mentees=mentees)
