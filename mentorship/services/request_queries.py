"""Reading match requests: who may see one, the lists, and the status a person sees.

Take a session; never commit. A pending request reads as expired from ``expires_at`` on,
whether or not ``expire-requests`` has stored it yet, so every query here computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, ScalarSelect, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from mentorship.models import (
    Enrolment,
    MatchRequest,
    Pairing,
    PairingStatus,
    ProgramStatus,
    RequestStatus,
    Role,
    User,
    utcnow,
)
from mentorship.services.errors import NotFound

LIST_LIMIT = 100  # requests a page or the API lists, newest first
ACTIVE_PROGRAMS = (ProgramStatus.OPEN, ProgramStatus.RUNNING)
def shown_status(item: MatchRequest, now: datetime | None = None) -> RequestStatus:
    """The status a person sees: pending past its expiry reads as expired at once."""
    if item.status == RequestStatus.PENDING and item.expires_at <= (now or utcnow()):
        return RequestStatus.EXPIRED
    return item.status


def status_is(status: RequestStatus,
              now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """The SQL condition for requests *shown* with ``status`` at ``now``."""
    overdue = and_(MatchRequest.status == RequestStatus.PENDING, MatchRequest.expires_at <= now)
    if status == RequestStatus.PENDING:
        # 'pending' is written into the SQL (``StoredEnum``): SQLite uses a partial index
        # (pending requests only) only when the query names the same value.
        return and_(MatchRequest.status == RequestStatus.PENDING, MatchRequest.expires_at > now)
    if status == RequestStatus.EXPIRED:
        return or_(MatchRequest.status == RequestStatus.EXPIRED, overdue)
    return MatchRequest.status == status


def waiting(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return status_is(RequestStatus.PENDING, now)


def mentee_enrolment(session: Session, user: User, program_id: int,
                     *, lock: bool = False) -> Enrolment | None:
    """``user``'s mentee enrolment in the program; ``lock`` holds its row to the commit."""
    query = select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.role == Role.MENTEE,
                                    Enrolment.program_id == program_id)
    return session.scalar(query.with_for_update() if lock else query)


def active_pairing(session: Session, mentee: Enrolment) -> Pairing | None:
    return session.scalar(select(Pairing).where(Pairing.mentee_enrolment_id == mentee.id,
                                                Pairing.status == PairingStatus.ACTIVE)
                          .options(joinedload(Pairing.mentor).joinedload(Enrolment.user)))


def ended_mentors(session: Session, mentee: Enrolment) -> set[int]:
    """Mentors this mentee was paired with before in the program: never again."""
    return set(session.scalars(select(Pairing.mentor_enrolment_id).where(
        Pairing.mentee_enrolment_id == mentee.id, Pairing.status == PairingStatus.ENDED)))


def _with_people() -> tuple[Any, ...]:
    return (joinedload(MatchRequest.program),
            joinedload(MatchRequest.mentee).joinedload(Enrolment.user).joinedload(User.profile),
            joinedload(MatchRequest.mentor).joinedload(Enrolment.user).joinedload(User.profile))


def get_request_for_participant(session: Session, request_id: int, user: User) -> MatchRequest:
    """The request if ``user`` sent or received it; NotFound for anyone else, admins too."""
    item = session.scalar(select(MatchRequest).where(MatchRequest.id == request_id)
                          .options(*_with_people()))
    if item is None or user.id not in (item.mentee.user_id, item.mentor.user_id):
        raise NotFound("match request")
    return item


def get_request_for_mentor(session: Session, request_id: int, user: User) -> MatchRequest:
    """A request ``user`` received; NotFound for anyone else (its sender too)."""
    item = get_request_for_participant(session, request_id, user)
    if item.mentor.user_id != user.id:
        raise NotFound("match request")
    return item


def get_request_for_mentee(session: Session, request_id: int, user: User) -> MatchRequest:
    """A request ``user`` sent; NotFound for anyone else (its mentor too)."""
    item = get_request_for_participant(session, request_id, user)
    if item.mentee.user_id != user.id:
        raise NotFound("match request")
    return item


def get_mentor(session: Session, enrolment_id: object) -> Enrolment:
    """A mentor enrolment anyone signed in may ask; NotFound for mentees and drafts."""
    mentor = session.get(Enrolment, enrolment_id, options=[
        joinedload(Enrolment.user).joinedload(User.profile), joinedload(Enrolment.program)]) \
        if isinstance(enrolment_id, int) and not isinstance(enrolment_id, bool) else None
    if mentor is None or mentor.role != Role.MENTOR \
            or mentor.program.status == ProgramStatus.DRAFT:
        raise NotFound("mentor")
    return mentor


def sent_requests(session: Session, user: User, *, status: RequestStatus | None = None
                  ) -> list[MatchRequest]:
    """Requests ``user`` sent as a mentee, newest first, one page: one query."""
    return _listed(session, MatchRequest.mentee_enrolment_id, user, status)


def received_requests(session: Session, user: User, *, status: RequestStatus | None = None
                      ) -> list[MatchRequest]:
    """Requests ``user`` received as a mentor, waiting ones first, one page: one query."""
    return _listed(session, MatchRequest.mentor_enrolment_id, user, status)


def _listed(session: Session, side: Any, user: User,
            status: RequestStatus | None) -> list[MatchRequest]:
    now = utcnow()
    mine = select(Enrolment.id).where(Enrolment.user_id == user.id)
    query = select(MatchRequest).where(side.in_(mine)).options(*_with_people())
    if status is not None:
        query = query.where(status_is(status, now))
    return list(session.scalars(query.order_by(waiting(now).desc(), MatchRequest.id.desc())
                                .limit(LIST_LIMIT)).unique())


def with_status(items: Sequence[MatchRequest]) -> list[tuple[MatchRequest, RequestStatus]]:
    """Each request with the status its reader sees (expired from ``expires_at`` on)."""
    now = utcnow()
    return [(item, shown_status(item, now)) for item in items]


def waiting_for(mentor_enrolment_id: ColumnExpressionArgument[int],
                now: datetime | ColumnElement[datetime]) -> ScalarSelect[int]:
    """How many requests wait for the answer of ``mentor_enrolment_id``, as a column (the
    dashboard reads it on each enrolment's row; none for a mentee's)."""
    return (select(func.count()).select_from(MatchRequest)
            .where(MatchRequest.mentor_enrolment_id == mentor_enrolment_id, waiting(now))
            .scalar_subquery())
