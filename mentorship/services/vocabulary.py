"""Skill tags, languages, time zones and matching criteria, as forms and the API validate them.

Kept apart from the engine bridge (``services/matches.py``) on purpose: validating a
form must not load numpy or the engine, so this module reads only the engine's data
modules (``matching.vocabulary``, ``matching.zones``, ``matching.defaults``), which
import neither.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import cache

from matching.defaults import DEFAULT_WEIGHTS
from matching.vocabulary import load_vocabulary
from matching.vocabulary import normalize_tags as _normalize_tags
from matching.zones import UNPLACED_ZONES

# Labels of the engine's criteria, in the engine's order: the weight inputs of a program.
CRITERION_LABELS = {"text": "Goals and expertise", "language": "Shared language",
                    "timezone": "Time-zone distance", "experience": "Experience gap",
                    "industry": "Same industry"}


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags as the engine understands them: lowercase, canonical names, no duplicates."""
    return _normalize_tags(tags)


@cache
def tag_suggestions() -> tuple[str, ...]:
    """Every canonical skill and goal in the shipped vocabulary, sorted, for suggestions."""
    return tuple(sorted({term.name for term in load_vocabulary()}))


@cache
def language_names() -> dict[str, str]:
    """ISO 639-1 code -> English name, for every language that has a two-letter code."""
    import pycountry  # its database loads on first use; most processes never ask

    return {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}


@cache
def timezone_names() -> frozenset[str]:
    """The IANA zones a person can live in: not the server's own ``localtime`` and the like."""
    return frozenset(zoneinfo.available_timezones()) - UNPLACED_ZONES


@cache
def sorted_timezones() -> tuple[str, ...]:
    """The zone names in order, for the profile form's suggestions."""
    return tuple(sorted(timezone_names()))


def default_weights() -> dict[str, float]:
    """The engine's default importance of each criterion, as percentages of the total."""
    total = sum(DEFAULT_WEIGHTS.values())
    return {key: round(100 * DEFAULT_WEIGHTS[key] / total, 4) for key in CRITERION_LABELS}
