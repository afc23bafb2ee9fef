"""Reproducible synthetic mentors and mentees drawn from the shipped vocabulary."""

from __future__ import annotations

import numpy as np

from matching import Mentee, Mentor
from matching.vocabulary import load_vocabulary

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
         "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo"]
LANGS = ["en", "de", "fr", "es", "pt", "hi", "ja"]
INDUSTRIES = ["software", "fintech", "healthtech", "e-commerce", "consulting", "media"]
MENTOR_TEMPLATES = ["I have spent {y} years on {a} and {b}.", "Happy to help with {a}, {b} and {c}.",
                    "My background is {a}; lately mostly {b}.", "Ask me about {a} or {b}."]
MENTEE_TEMPLATES = ["I want to get better at {a}.", "Looking for help with {a} and {b}.",
                    "My goal this year: {a}, maybe {b}.", "I struggle with {a}."]


def _pick_terms(rng: np.random.Generator, terms: list, k: int) -> list:
    cat = rng.choice(sorted({t.category for t in terms}))
    pool = [t for t in terms if t.category == cat]
    chosen = [pool[i] for i in rng.choice(len(pool), size=min(k, len(pool)), replace=False)]
    return chosen


def _say(rng: np.random.Generator, term) -> str:
    options = [term.name, *term.aliases]
    return options[rng.integers(len(options))]


def make_people(n_mentors: int, n_mentees: int, seed: int = 0) -> tuple[list[Mentor], list[Mentee]]:
    """Mentors and mentees whose texts mention vocabulary terms by name or alias."""
    rng = np.random.default_rng(seed)
    terms = list(load_vocabulary())
    mentors = []
    for j in range(n_mentors):
        chosen = _pick_terms(rng, terms, 4)
        words = {k: _say(rng, t) for k, t in zip("abc", chosen, strict=False)}
        about = MENTOR_TEMPLATES[rng.integers(len(MENTOR_TEMPLATES))].format(y=rng.integers(3, 25), **words)
        mentors.append(Mentor(
            id=j, about=about, expertise=[t.name for t in chosen[:2]],
            languages=["en", *rng.choice(LANGS, size=rng.integers(0, 2))],
            timezone=ZONES[rng.integers(len(ZONES))], years_experience=int(rng.integers(3, 25)),
            industry=INDUSTRIES[rng.integers(len(INDUSTRIES))], capacity=int(rng.integers(1, 6))))
    mentees = []
    for i in range(n_mentees):
        chosen = _pick_terms(rng, terms, 3)
        words = {k: _say(rng, t) for k, t in zip("ab", chosen, strict=False)}
        goals = MENTEE_TEMPLATES[rng.integers(len(MENTEE_TEMPLATES))].format(**words)
        mentees.append(Mentee(
            id=i, goals=goals, skills_to_grow=[_say(rng, chosen[-1])],
            languages=[LANGS[rng.integers(len(LANGS))]] if rng.random() < 0.3 else ["en"],
            timezone=ZONES[rng.integers(len(ZONES))], years_experience=int(rng.integers(0, 10)),
            industry=INDUSTRIES[rng.integers(len(INDUSTRIES))]))
    return mentors, mentees
