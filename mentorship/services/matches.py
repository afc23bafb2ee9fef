"""The bridge between stored people and the pure ``matching`` engine.

This is the only module of the web app that imports ``matching``.
"""

from __future__ import annotations

from collections.abc import Iterable

from matching import DEFAULT_WEIGHTS
from matching.criteria import UNPLACED_ZONES
from matching.vocabulary import load_vocabulary
from matching.vocabulary import normalize_tags as _normalize_tags


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags as the engine understands them: lowercase, canonical names, no duplicates."""
    return _normalize_tags(tags)


def tag_suggestions() -> list[str]:
    """Every canonical skill and goal in the shipped vocabulary, sorted, for suggestions."""
    return sorted({term.name for term in load_vocabulary()})


def placeable_timezones(names: Iterable[str]) -> frozenset[str]:
    """The zone names a person can live in: not the server's own ``localtime`` and the like."""
    return frozenset(names) - UNPLACED_ZONES


def default_weights() -> dict[str, float]:
    """The engine's weight per criterion, used where a program sets none."""
    return dict(DEFAULT_WEIGHTS)
