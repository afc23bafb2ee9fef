"""The curated skills-and-goals vocabulary shared by the matcher and the web app."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

__all__ = ["Term", "alias_map", "load_vocabulary", "normalize_tags"]

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Term:
    """One canonical skill or goal with its category and alternative spellings."""

    name: str
    category: str
    aliases: tuple[str, ...] = ()


@functools.cache
def load_vocabulary() -> tuple[Term, ...]:
    """Load the shipped vocabulary (``matching/data/vocabulary.json``) once.

    Returns
    -------
    tuple of Term
        In file order; names and aliases are lowercase.

    Examples
    --------
    >>> terms = load_vocabulary()
    >>> len(terms) >= 300
    True
    >>> next(t for t in terms if t.name == "machine learning").category
    'data'
    """
    raw = resources.files("matching").joinpath("data", "vocabulary.json").read_text("utf-8")
    return tuple(
        Term(t["name"], t["category"], tuple(t.get("aliases", ()))) for t in json.loads(raw)["terms"]
    )


@functools.cache
def alias_map() -> dict[str, str]:
    """Map every canonical name and alias (lowercase) to its canonical name.

    Examples
    --------
    >>> alias_map()["k8s"]
    'kubernetes'
    """
    mapping: dict[str, str] = {}
    for term in load_vocabulary():
        mapping[term.name] = term.name
        for alias in term.aliases:
            mapping.setdefault(alias, term.name)
    return mapping


def _clean(tag: str) -> str:
    return _SPACE.sub(" ", tag).strip().lower()


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Clean free-form tags and map known aliases to their canonical name.

    Strips and collapses whitespace, lowercases, maps aliases (``"ML"`` ->
    ``"machine learning"``), drops empty tags and duplicates (keeping the
    first occurrence's position).

    Parameters
    ----------
    tags : iterable of str

    Returns
    -------
    list of str

    Examples
    --------
    >>> normalize_tags(["  ML ", "Machine   Learning", "", "K8s", "Woodworking"])
    ['machine learning', 'kubernetes', 'woodworking']
    """
    if isinstance(tags, str):
        raise ValueError(f"tags must be an iterable of strings, got the string {tags!r}")
    aliases = alias_map()
    seen: dict[str, None] = {}
    for tag in tags:
        if not isinstance(tag, str):
            raise ValueError(f"tags must be strings, got {tag!r}")
        cleaned = _clean(tag)
        if cleaned:
            seen.setdefault(aliases.get(cleaned, cleaned), None)
    return list(seen)
