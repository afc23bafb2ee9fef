"""Builders for the matching-flow tests: people with profiles, requests and pairings.

Plain functions that flush, never commit, like ``tests.factories``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mentorship.models import (
    Availability,
    Enrolment,
    MatchRequest,
    Pairing,
    PairingSource,
    Program,
    Role,
    User,
    utcnow,
)
from mentorship.services.pairings import create_pairing
from tests.factories import make_enrolment, make_user


def person(session: Session, name: str, *, languages: tuple[str, ...] = ("en",),
           timezone: str | None = "Europe/Berlin", headline: str = "", **user: Any) -> User:
    someone = make_user(session, name=name, **user)
    someone.profile.languages = list(languages)
    someone.profile.timezone = timezone
    someone.profile.headline = headline
    session.flush()
    return someone


def mentor(session: Session, program: Program, name: str, *, capacity: int = 2,
           expertise: tuple[str, ...] = ("python",), paused: bool = False,
           user: User | None = None, **profile: Any) -> Enrolment:
    return make_enrolment(session, user or person(session, name, **profile), program,
                          Role.MENTOR, capacity=capacity, expertise=list(expertise),
                          availability=Availability.PAUSED if paused else Availability.OPEN)


def mentee(session: Session, program: Program, name: str, *, user: User | None = None,
           **profile: Any) -> Enrolment:
    return make_enrolment(session, user or person(session, name, **profile), program,
                          Role.MENTEE, goals="Grow into a python tech lead",
                          skills_to_grow=["python", "leadership"])


def pending(session: Session, asker: Enrolment, asked: Enrolment, *,
            expires_in: timedelta = timedelta(days=7), message: str = "") -> MatchRequest:
    """A pending request stored directly (no engine, no notification)."""
    now = utcnow()
    item = MatchRequest(program_id=asker.program_id, mentee_enrolment_id=asker.id,
                        mentor_enrolment_id=asked.id, message=message, score=0.5,
                        reasons=["You both mention python"], created_at=now,
                        expires_at=now + expires_in)
    session.add(item)
    session.flush()
    return item


def paired(session: Session, asker: Enrolment, asked: Enrolment) -> Pairing:
    return create_pairing(session, asker, asked, source=PairingSource.REQUEST, score=0.7,
                          reasons=["Both speak English"])
