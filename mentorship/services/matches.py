"""The bridge between stored people and the pure ``matching`` engine.

With ``services/round_solve.py`` (a round's solve, built on this module's records and
fitted matchers), the only module of the web app that imports the engine (the
validation layer reads only its numpy-free data modules, see ``services/vocabulary.py``). It turns
enrolments and profiles into ``Mentee`` / ``Mentor`` records, applies the hard
constraints the app knows (the person themself, ended pairings of the program,
pending requests, paused or full mentors) and keeps fitted matchers in a
``MatcherCache`` keyed by a fingerprint of the mentor side: a cache is only ever an
optimisation, so several workers, each with its own, stay correct.

The engine is reached as ``matching.<name>``: its package loads numpy and
scikit-learn on first use, so importing this module (as every view does) keeps the
app's start fast; ``warm_engine`` pays that cost in the background once a worker runs.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

import matching
from mentorship.models import Availability, Enrolment, Profile, Program, Role, User
from mentorship.services.programs import program_weights

if TYPE_CHECKING:
    from matching import Matcher, Mentee, Mentor

CACHED_PROGRAMS = 16


def warm_engine() -> threading.Thread:
    """Build the engine's once-per-process set-up in the background (a worker that starts
    serving calls this, so the first suggestion never pays for the imports).

    What it builds lives as long as the process, like a fitted matcher (``fitted``):
    frozen out of the garbage collector's full passes once built."""
    def build() -> None:
        matching.warm_up()
        gc.freeze()
    thread = threading.Thread(target=build, name="warm-matching-engine", daemon=True)
    thread.start()
    return thread


def people(session: Session, program: Program, role: Role) -> list[Enrolment]:
    """The program's enrolments in ``role`` with their people and profiles: two queries."""
    return list(session.scalars(
        select(Enrolment).where(Enrolment.program_id == program.id, Enrolment.role == role)
        .options(joinedload(Enrolment.user).joinedload(User.profile))
        .order_by(Enrolment.id)).unique())


#: The stored columns a mentee's engine record is made of, in ``mentee_row_record``'s
#: order: a round reads just these for thousands of mentees, without ORM objects.
MENTEE_COLUMNS = (Enrolment.id, Enrolment.goals, Enrolment.skills_to_grow, Profile.languages,
                  Profile.timezone, Profile.years_experience, Profile.industry)


def mentee_record(enrolment: Enrolment, exclude: Iterable[int] = ()) -> Mentee:
    """A mentee enrolment as the engine reads it; ``exclude`` holds mentor enrolment ids."""
    profile = enrolment.user.profile
    return mentee_row_record([getattr(profile if column.class_ is Profile else enrolment, column.key)
                              for column in MENTEE_COLUMNS], exclude)


def mentee_row_record(values: Sequence[Any], exclude: Iterable[int] = ()) -> Mentee:
    """A mentee record from the values of ``MENTEE_COLUMNS``, in order (a plain row)."""
    enrolment_id, goals, skills_to_grow, languages, timezone, years_experience, industry = values
    return matching.Mentee(id=enrolment_id, goals=goals, skills_to_grow=tuple(skills_to_grow),
                           languages=tuple(languages), timezone=timezone,
                           years_experience=years_experience, industry=industry or None,
                           exclude=frozenset(exclude))


def mentor_record(enrolment: Enrolment) -> Mentor:
    """A mentor enrolment as the engine reads it. Seats are applied per query (exclusions
    and round capacities), so a fitted matcher survives every acceptance."""
    profile = enrolment.user.profile
    return matching.Mentor(id=enrolment.id, about=enrolment.about,
                  expertise=tuple(enrolment.expertise), languages=tuple(profile.languages),
                  timezone=profile.timezone,
                  years_experience=profile.years_experience,
                  industry=profile.industry or None, capacity=enrolment.capacity or 0)


def free_seats(mentor: Enrolment) -> int:
    """Seats a mentor can still give: none while paused."""
    if mentor.availability != Availability.OPEN:
        return 0
    return max(0, (mentor.capacity or 0) - mentor.seats_taken)


def reference_date(program: Program) -> datetime | None:
    """When "same time zone" is judged: noon UTC on the program's first day (clocks shift
    in summer); without a start date, the engine's fixed instant (results never drift)."""
    if program.starts_on is None:
        return None
    return datetime.combine(program.starts_on, time(12), tzinfo=UTC)


def fingerprint(program: Program, mentors: Sequence[Enrolment]) -> str:
    """What a fitted matcher depends on: the program's weights and limits, and each
    mentor's enrolment and profile versions (bumped by every edit)."""
    return _key(program, [(m.id, m.version, m.user.profile.version) for m in mentors])


@dataclass
class Fitted:
    """A matcher fitted on a program's mentors, with the enrolments in column order."""

    matcher: Matcher
    mentors: list[Enrolment]
    column: dict[int, int]  # mentor enrolment id -> column


class MatcherCache:
    """Fitted matchers by fingerprint, the least recently used dropped first.

    One per app (``app.extensions``); losing it costs only a refit.
    """

    def __init__(self, size: int = CACHED_PROGRAMS) -> None:
        """Keep at most ``size`` matchers (one per program and mentor side)."""
        self.size = size
        self._items: OrderedDict[str, Matcher] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Matcher | None:
        """The matcher fitted for ``key``, or None; a hit makes it the most recent."""
        with self._lock:
            matcher = self._items.get(key)
            if matcher is not None:
                self._items.move_to_end(key)
            return matcher

    def put(self, key: str, matcher: Matcher) -> None:
        """Keep ``matcher`` for ``key``, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = matcher
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def fitted(session: Session, program: Program, cache: MatcherCache) -> Fitted | None:
    """The program's matcher over all its mentors (None when it has none)."""
    mentors = people(session, program, Role.MENTOR)
    if not mentors:
        return None
    key = fingerprint(program, mentors)
    matcher = cache.get(key)
    if matcher is None:
        matcher = matching.Matcher(weights=program_weights(program),
                                   max_timezone_gap_hours=program.max_timezone_gap_hours,
                                   reference_date=reference_date(program),
                                   ).fit([mentor_record(m) for m in mentors])
        cache.put(key, matcher)
        # The fitted matcher lives as long as the worker: keep the garbage collector's
        # full passes from walking it (they made warm suggestions' p95 2-3x slower).
        gc.freeze()
    return Fitted(matcher, mentors, {m.id: j for j, m in enumerate(mentors)})


# Suggestions and explanations for single requests

@dataclass(frozen=True)
class MentorFacts:
    """What ranking one mentee needs to know of a mentor, read without ORM objects."""

    id: int
    user_id: int
    free_seats: int
    expertise: list[str]
    languages: list[str]
    timezone: str | None


@dataclass
class Ranking:
    """A program's fitted matcher with its mentors as plain facts."""

    matcher: Matcher
    mentors: list[MentorFacts]


def warm_for_mentor(session: Session, mentor_enrolment_id: int | None,
                    cache: MatcherCache) -> None:
    """Fit the matcher of the mentor's program now if it is cold (nothing for an unknown
    mentor: the request itself reports that). Pass a reading session: the fit then
    holds no write lock, and the request's own ranking finds it in ``cache``."""
    program = session.scalar(select(Program).join(Enrolment, Enrolment.program_id == Program.id)
                             .where(Enrolment.id == mentor_enrolment_id,
                                    Enrolment.role == Role.MENTOR)) \
        if mentor_enrolment_id is not None else None
    if program is not None:
        ranking(session, program, cache)


def ranking(session: Session, program: Program, cache: MatcherCache) -> Ranking | None:
    """The program's matcher for single requests (None without mentors).

    One query of plain columns finds the cache key; ORM objects for every mentor are
    built only when the matcher must be fitted, so a warm call stays fast on a program
    of thousands of mentors.
    """
    rows = session.execute(
        select(Enrolment.id, Enrolment.user_id, Enrolment.availability, Enrolment.capacity,
               Enrolment.seats_taken, Enrolment.version, Profile.version)
        .join(Profile, Profile.user_id == Enrolment.user_id)
        .where(Enrolment.program_id == program.id, Enrolment.role == Role.MENTOR)
        .order_by(Enrolment.id)).all()
    if not rows:
        return None
    matcher = cache.get(_key(program, [(r[0], r[5], r[6]) for r in rows]))
    if matcher is None:
        found = fitted(session, program, cache)
        assert found is not None
        matcher = found.matcher
    # Texts, languages and zones come from the records the matcher was fitted on (the
    # versions in the key change with every edit); seats change without one, so they
    # come from the rows just read.
    mentors = []
    for mentor_id, user_id, availability, capacity, taken, _v, _pv in rows:
        column = matcher.mentor_index_.get(mentor_id)
        if column is None:  # joined after the matcher was fitted: next time
            continue
        record = matcher.mentors_[column]
        free = max(0, (capacity or 0) - taken) if availability == Availability.OPEN else 0
        mentors.append(MentorFacts(mentor_id, user_id, free, list(record.expertise),
                                   list(record.languages), record.timezone))
    return Ranking(matcher, mentors)


def _key(program: Program, versions: list[tuple[int, int, int]]) -> str:
    """``fingerprint``'s key from (enrolment id, version, profile version) rows."""
    facts = [program.id, program_weights(program), program.max_timezone_gap_hours,
             str(program.starts_on), [list(v) for v in versions]]
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def suggest(ranked: Ranking, mentee: Enrolment, exclude: Iterable[int], k: int
            ) -> list[tuple[int, float, tuple[str, ...]]]:
    """The ``k`` best mentors for one mentee among those not in ``exclude`` (mentor
    enrolment ids), best first: (mentor enrolment id, score in [0, 1], reasons)."""
    found = ranked.matcher.suggest(mentee_record(mentee, exclude), k)
    return [(int(str(s.mentor_id)), s.score, s.reasons) for s in found]


def pair_fit(ranked: Ranking, mentee: Enrolment, mentor_id: int
             ) -> tuple[float | None, list[str]]:
    """The score and reasons of one pair as the engine sees it now; (None, []) when a hard
    constraint (no shared language, the program's time-zone limit) rules it out."""
    score, reasons = _one_pair(ranked.matcher, mentee_record(mentee),
                               ranked.matcher.mentor_index_[mentor_id])
    return (None, []) if score == float("-inf") else (score, reasons)


def _one_pair(matcher: Matcher, record: Mentee, column: int) -> tuple[float, list[str]]:
    """One pair's score (``-inf`` when a hard constraint forbids it) and reasons."""
    return float(matcher.score([record])[0, column]), matcher.explain(record, column)


def pair_score(fit: Fitted, mentee: Enrolment, exclude: Iterable[int],
               mentor_id: int) -> tuple[float, list[str]]:
    """One pair's score and reasons; ``-inf`` when a hard constraint forbids it."""
    return _one_pair(fit.matcher, mentee_record(mentee, exclude), fit.column[mentor_id])
