"""Find a mentor: a mentee's ranked suggestions in one program. Take a session; never commit.

The engine ranks; this module decides who may be ranked at all. The hard constraints
the app knows go to the engine as the mentee's ``exclude`` set: the person themself
(enrolled as mentor too), mentors of the mentee's ended pairings in the program,
mentors already asked (listed apart as "requested"), paused or full mentors, and
whoever the mentee's own filters leave out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matching.zones import clock_gap, utc_offset_hours
from mentorship.models import Enrolment, MatchRequest, Pairing, Program, User, utcnow
from mentorship.services import matches
from mentorship.services.errors import Conflict, NotFound
from mentorship.services.fields import clean_int, clean_tags, collect
from mentorship.services.matches import MatcherCache, MentorFacts, reference_date
from mentorship.services.request_queries import (
    ACTIVE_PROGRAMS,
    active_pairing,
    ended_mentors,
    mentee_enrolment,
    waiting,
)
from mentorship.services.vocabulary import language_names

DEFAULT_LIMIT, MAX_LIMIT, MORE = 5, 50, 5
GAP_MAX = 12  # two places are at most 12 hours apart around the globe


@dataclass(frozen=True)
class Filters:
    """What the mentee narrowed the list to; None means "any"."""

    language: str | None = None
    expertise: str | None = None
    max_timezone_gap: int | None = None
    limit: int = DEFAULT_LIMIT


def _language(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value.strip().lower() not in language_names():
        raise ValueError("Choose a language from the list.")
    return value.strip().lower()


def _expertise(value: object) -> str | None:
    tags = clean_tags(value)
    if len(tags) > 1:
        raise ValueError("Choose one area of expertise.")
    return tags[0] if tags else None


def clean_filters(args: Mapping[str, object]) -> Filters:
    """Filters from query parameters; FieldErrors naming each bad one."""
    values = collect(args, {
        "language": _language, "expertise": _expertise,
        "max_timezone_gap": lambda v: clean_int(v, low=0, high=GAP_MAX),
        "limit": lambda v: clean_int(v, low=1, high=MAX_LIMIT)})
    return Filters(language=values.get("language"), expertise=values.get("expertise"),
                   max_timezone_gap=values.get("max_timezone_gap"),
                   limit=values.get("limit") or DEFAULT_LIMIT)


@dataclass
class Suggested:
    """One suggested mentor as the mentee reads it."""

    mentor: Enrolment
    score: float
    reasons: tuple[str, ...]
    timezone_gap: float | None  # hours between the two clocks; None when a zone is unknown
    free_seats: int

    @property
    def percent(self) -> int:
        return round(100 * self.score)


@dataclass
class MentorSearch:
    """Everything the "Find a mentor" page and the suggestions API show."""

    program: Program
    mentee: Enrolment
    filters: Filters
    pairing: Pairing | None = None
    suggestions: list[Suggested] = field(default_factory=list)
    requested: list[MatchRequest] = field(default_factory=list)
    has_more: bool = False
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, name) to filter on
    expertise: list[str] = field(default_factory=list)


def timezone_gap(a: str | None, b: str | None, on: datetime | None) -> float | None:
    """Hours between two people's clocks on ``on`` (None: the engine's fixed instant); None
    when either zone is unknown."""
    if not a or not b:
        return None
    return clock_gap(utc_offset_hours(a, on), utc_offset_hours(b, on))


def mentee_for_search(session: Session, program: Program, user: User) -> Enrolment:
    """``user``'s mentee enrolment in a program where mentors can be found now."""
    mentee = mentee_enrolment(session, user, program.id)
    if mentee is None:
        raise NotFound("mentee enrolment")
    if program.status not in ACTIVE_PROGRAMS:
        raise Conflict("Mentors can be found while the program is open or running.")
    return mentee


def find_mentors(session: Session, program: Program, user: User, filters: Filters,
                 cache: MatcherCache) -> MentorSearch:
    """The mentee's pairing if they have one, else their best allowed mentors.

    A constant number of queries whatever the size of the program or the history.
    """
    mentee = mentee_for_search(session, program, user)
    search = MentorSearch(program, mentee, filters, pairing=active_pairing(session, mentee))
    if search.pairing is not None:
        return search
    now = utcnow()
    search.requested = list(session.scalars(
        select(MatchRequest).where(MatchRequest.mentee_enrolment_id == mentee.id, waiting(now))
        .options(joinedload(MatchRequest.mentor).joinedload(Enrolment.user))
        .order_by(MatchRequest.id)).unique())
    ranked = matches.ranking(session, program, cache)
    if ranked is None:
        return search
    on = reference_date(program)
    zone = user.profile.timezone
    gaps = {m.id: timezone_gap(zone, m.timezone, on) for m in ranked.mentors}
    exclude = ended_mentors(session, mentee) | {r.mentor_enrolment_id for r in search.requested}
    exclude |= {m.id for m in ranked.mentors
                if m.user_id == user.id or m.free_seats == 0 or not _passes(m, gaps, filters)}
    found = matches.suggest(ranked, mentee, exclude, filters.limit + 1)
    search.has_more = len(found) > filters.limit and filters.limit < MAX_LIMIT
    shown = found[:filters.limit]
    loaded = {e.id: e for e in session.scalars(
        select(Enrolment).where(Enrolment.id.in_([i for i, _s, _r in shown]))
        .options(joinedload(Enrolment.user).joinedload(User.profile))).unique()}
    seats = {m.id: m.free_seats for m in ranked.mentors}
    search.suggestions = [Suggested(loaded[i], score, reasons, gaps[i], seats[i])
                          for i, score, reasons in shown]
    names = language_names()
    codes = {c for m in ranked.mentors for c in m.languages if c in names}
    search.languages = sorted(((c, names[c]) for c in codes), key=lambda item: item[1])
    search.expertise = sorted({t for m in ranked.mentors for t in m.expertise})
    return search


def _passes(mentor: MentorFacts, gaps: dict[int, float | None], filters: Filters) -> bool:
    if filters.language and filters.language not in mentor.languages:
        return False
    if filters.expertise and filters.expertise not in mentor.expertise:
        return False
    gap = gaps[mentor.id]
    return filters.max_timezone_gap is None or (gap is not None
                                                and gap <= filters.max_timezone_gap)
