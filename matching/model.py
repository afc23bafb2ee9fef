"""Input and output records of the matching engine: frozen, validated dataclasses."""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from matching.criteria import utc_offset_hours

__all__ = ["Mentee", "Mentor", "Suggestion"]

#: Most mentees one mentor may take; anything above is a typo, not a capacity.
MAX_CAPACITY = 10**6
#: Most years of experience anyone can have; above it (or inf) is a typo.
MAX_YEARS = 100


def _hashable(name: str, value: Hashable) -> None:
    """Ids end up as dict keys and set members, so an unhashable one fails here, not later."""
    try:
        hash(value)
    except TypeError:
        raise ValueError(f"{name} must be hashable, got {value!r}") from None


def _tags(name: str, value: Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise ValueError(f"{name} must be a list of strings, got the string {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{name} must contain strings, got {item!r}")
    return items


def _text(name: str, value: str | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    return value


def _years(value: float | None) -> float | None:
    """Plain int or float years (NumPy scalars too), finite and at most ``MAX_YEARS``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= MAX_YEARS:
        raise ValueError(f"years_experience must be a number from 0 to {MAX_YEARS} or None, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _capacity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_CAPACITY:
        raise ValueError(f"capacity must be a non-negative integer, at most {MAX_CAPACITY}, got {value!r}")
    return int(value)


def _exclude(value: Iterable[Hashable] | None) -> frozenset:
    if value is None:
        return frozenset()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"exclude must be a collection of mentor ids, got {value!r}")
    items = tuple(value)
    for item in items:
        _hashable("exclude ids", item)
    return frozenset(items)


def _optional_str(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string or None, got {value!r}")
    return value.strip() or None


def _timezone(value: str | None) -> str | None:
    value = _optional_str("timezone", value)
    if value is not None:
        utc_offset_hours(value)  # raises ValueError for an unknown zone
    return value


def _clean_facts(person: Mentor | Mentee) -> None:
    """Validate and normalise the practical facts mentors and mentees share, in place."""
    set_ = object.__setattr__
    set_(person, "languages", _tags("languages", person.languages))
    set_(person, "timezone", _timezone(person.timezone))
    set_(person, "years_experience", _years(person.years_experience))
    set_(person, "industry", _optional_str("industry", person.industry))


@dataclass(frozen=True)
class Mentor:
    """A mentor: what they can give (``about`` and ``expertise``) and practical facts.

    Every field but ``id`` may be left empty; empty means unknown. ``id`` is
    any hashable; ``capacity`` is the most mentees they take (0 to
    ``MAX_CAPACITY``) and ``years_experience`` runs from 0 to ``MAX_YEARS``.

    Examples
    --------
    >>> Mentor(id=1, expertise=["system design"], languages=["en"]).expertise
    ('system design',)
    """

    id: Hashable
    about: str = ""
    expertise: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    years_experience: float | None = None
    industry: str | None = None
    capacity: int = 1

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _hashable("id", self.id)
        set_(self, "about", _text("about", self.about))
        set_(self, "expertise", _tags("expertise", self.expertise))
        _clean_facts(self)
        set_(self, "capacity", _capacity(self.capacity))


@dataclass(frozen=True)
class Mentee:
    """A mentee: what they want (``goals`` and ``skills_to_grow``) and practical facts.

    ``exclude`` holds mentor ids this mentee must never be suggested or assigned;
    any collection of ids (list, tuple, set) is kept as a frozenset.

    Examples
    --------
    >>> Mentee(id=7, skills_to_grow=["giving feedback"], exclude=[3]).exclude
    frozenset({3})
    """

    id: Hashable
    goals: str = ""
    skills_to_grow: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    years_experience: float | None = None
    industry: str | None = None
    exclude: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _hashable("id", self.id)
        set_(self, "goals", _text("goals", self.goals))
        set_(self, "skills_to_grow", _tags("skills_to_grow", self.skills_to_grow))
        _clean_facts(self)
        set_(self, "exclude", _exclude(self.exclude))


@dataclass(frozen=True)
class Suggestion:
    """One suggested mentor for a mentee, with its calibrated score and plain-word reasons.

    Examples
    --------
    >>> Suggestion(mentor_id=1, score=0.87, reasons=["Same time zone"]).reasons
    ('Same time zone',)
    """

    mentor_id: Hashable
    score: float
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", tuple(self.reasons))
