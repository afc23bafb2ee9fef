"""Match requests: a mentee asks a mentor, who accepts or declines. Take a session; never commit.

Every rule that concurrent clicks could break is decided by the database, not by a
count read earlier in the request:
* the pending limit: the mentee's enrolment row is locked (``FOR UPDATE``; SQLite
  serialises writers with ``BEGIN IMMEDIATE``) before the count and the insert;
* one pending request per pair: the partial unique index, caught in a savepoint;
* a mentor's seats and a mentee's single mentor: ``pairings.create_pairing``;
* answering twice (accept and withdraw at once): each answer is a conditional UPDATE
  from ``pending``, so the second one finds nothing to change.

A pending request is expired from ``expires_at`` on, whether or not ``expire_requests``
(the cron command) has stored it yet: ``request_queries`` computes it for every reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mentorship.models import (
    DeclineReason,
    Enrolment,
    MatchRequest,
    Pairing,
    PairingSource,
    Program,
    RequestStatus,
    User,
    utcnow,
)
from mentorship.services import matches
from mentorship.services.errors import Conflict
from mentorship.services.matches import MatcherCache, free_seats
from mentorship.services.notifications import Kind, notify
from mentorship.services.pairings import END_REASONS, create_pairing
from mentorship.services.request_queries import (
    ACTIVE_PROGRAMS,
    active_pairing,
    ended_mentors,
    get_mentor,
    get_request_for_mentee,
    get_request_for_mentor,
    mentee_enrolment,
    shown_status,
    waiting,
)
from mentorship.services.specs import Field, Spec, choices_of

MESSAGE_MAX = 1000
DECLINE_REASONS = {DeclineReason.NO_CAPACITY: "No free seat left",
                   DeclineReason.NOT_MY_EXPERTISE: "Outside my expertise",
                   DeclineReason.SOMEONE_ELSE_FITS_BETTER: "Someone else fits better",
                   DeclineReason.SCHEDULE: "Our schedules do not fit",
                   DeclineReason.OTHER: "Another reason"}

REQUEST = Spec((
    Field("message", "Message to the mentor", kind="textarea", max_length=MESSAGE_MAX,
          help="Optional: what you hope to work on together, in a few lines."),
))
DECLINE = Spec((
    Field("reason", "Reason", kind="choice", enum=DeclineReason, required=True,
          choices=choices_of(DeclineReason, {r.value: label for r, label in DECLINE_REASONS.items()})),
    Field("note", "Note to the mentee", kind="textarea", max_length=MESSAGE_MAX,
          help="Optional, shown to the mentee with your answer."),
))
# Ending a mentorship: the fields ``pairings.end_pairing`` cleans, for its forms and the API.
END = Spec((
    Field("reason", "Why it ends", kind="choice", required=True,
          choices=tuple((r.value, label) for r, label in END_REASONS.items())),
    Field("note", "Note", kind="textarea", max_length=MESSAGE_MAX,
          help="Optional, shown to the other side of the pair only."),
))


def send_request(session: Session, user: User, mentor_enrolment_id: object,
                 data: Mapping[str, object], cache: MatcherCache) -> MatchRequest:
    """``user`` (a mentee of the mentor's program) asks that mentor; the mentor is told.

    The score and reasons are the engine's at this moment, kept for both sides to read.
    """
    values = REQUEST.clean(data, partial=False)
    mentor = get_mentor(session, mentor_enrolment_id)
    program = mentor.program
    if program.status not in ACTIVE_PROGRAMS:
        raise Conflict("Requests can be sent while the program is open or running.")
    if mentor.user_id == user.id:
        raise Conflict("You cannot ask yourself to be your mentor.")
    mentee = mentee_enrolment(session, user, program.id)
    if mentee is None:
        raise Conflict(f"Join {program.name} as a mentee to ask for a mentor.")
    ranked = matches.ranking(session, program, cache)  # before the lock: it may take a while
    assert ranked is not None  # the program has this mentor at least
    score, reasons = matches.pair_fit(ranked, mentee, mentor.id)

    now = utcnow()
    mentee = mentee_enrolment(session, user, program.id, lock=True)
    assert mentee is not None
    _store_expired(session, now, MatchRequest.mentee_enrolment_id == mentee.id)
    if active_pairing(session, mentee) is not None:
        raise Conflict("You already have a mentor in this program.")
    session.refresh(mentor)  # seats and availability as of the lock, not the page
    name = mentor.user.name
    if free_seats(mentor) == 0:
        raise Conflict(f"{name} is not taking new mentees right now."
                       if mentor.seats_taken < (mentor.capacity or 0)
                       else f"{name} has no free mentee seat left.")
    if mentor.id in ended_mentors(session, mentee):
        raise Conflict(f"You were paired with {name} before in this program.")
    if score is None:
        raise Conflict(f"This program's matching rules rule out {name} for you "
                       "(no shared language, or time zones too far apart).")
    pending = session.scalar(select(func.count()).select_from(MatchRequest).where(
        MatchRequest.mentee_enrolment_id == mentee.id, waiting(now))) or 0
    if pending >= program.max_pending_requests:
        raise Conflict(f"You have {pending} requests waiting for an answer, the most this "
                       "program allows. Withdraw one or wait for an answer.")
    item = MatchRequest(program_id=program.id, mentee_enrolment_id=mentee.id,
                        mentor_enrolment_id=mentor.id, message=values["message"], score=score,
                        reasons=list(reasons), created_at=now,
                        expires_at=now + timedelta(days=program.request_expiry_days))
    try:
        with session.begin_nested():  # the partial unique index decides, not a prior check
            session.add(item)
            session.flush()
    except IntegrityError:
        raise Conflict(f"You have already asked {name}; the request is waiting for an answer.") \
            from None
    notify(session, mentor.user_id, Kind.REQUEST_RECEIVED, "match_request", item.id,
           mentee=user.name, program=program.name)
    return item


def _answer(session: Session, item: MatchRequest, status: RequestStatus, now: datetime,
            **values: Any) -> None:
    """Move ``item`` from pending to ``status``; Conflict if it was answered or expired."""
    current = shown_status(item, now)
    changed = session.execute(
        update(MatchRequest)
        .where(MatchRequest.id == item.id, waiting(now))
        .values(status=status, decided_at=now, **values)
        .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    if not changed:
        if current == RequestStatus.PENDING:  # answered by someone else a moment ago
            session.refresh(item)
            current = shown_status(item, now)
        raise Conflict(f"This request is no longer waiting for an answer: it is {current.value}.")
    session.refresh(item)


def withdraw_request(session: Session, request_id: int, user: User) -> MatchRequest:
    """The mentee takes back a pending request; the mentor sees it withdrawn."""
    item = get_request_for_mentee(session, request_id, user)
    _answer(session, item, RequestStatus.WITHDRAWN, utcnow())
    return item


def decline_request(session: Session, request_id: int, user: User,
                    data: Mapping[str, object]) -> MatchRequest:
    """The mentor says no, with a reason and an optional note that the mentee reads."""
    item = get_request_for_mentor(session, request_id, user)
    values = DECLINE.clean(data, partial=False)
    _answer(session, item, RequestStatus.DECLINED, utcnow(), decline_reason=values["reason"],
            decline_note=values["note"])
    notify(session, item.mentee.user_id, Kind.REQUEST_DECLINED, "match_request", item.id,
           mentor=item.mentor.user.name, program=item.program.name,
           reason=DECLINE_REASONS[values["reason"]].lower())
    return item


def accept_request(session: Session, request_id: int, user: User) -> Pairing:
    """The mentor says yes: a pairing starts, taking one of the mentor's seats.

    The mentee's other pending requests in the program are cancelled (their mentors see
    them so); if that was the mentor's last seat, their other pending requests are
    declined for lack of capacity and those mentees are told.
    """
    item = get_request_for_mentor(session, request_id, user)
    now = utcnow()
    if shown_status(item, now) != RequestStatus.PENDING:
        raise Conflict("This request is no longer waiting for an answer: it is "
                       f"{shown_status(item, now).value}.")
    # The mentee's row first, as send_request does: a request sent meanwhile waits for us.
    session.execute(select(Enrolment.id).where(Enrolment.id == item.mentee_enrolment_id)
                    .with_for_update())
    # Then every pending request this answer may cancel or decline, in id order: two
    # mentors accepting at once (each cancelling some of the other's rows) queue on the
    # first row they share instead of each holding what the other needs (a deadlock).
    session.execute(select(MatchRequest.id).where(
        or_(MatchRequest.mentee_enrolment_id == item.mentee_enrolment_id,
            MatchRequest.mentor_enrolment_id == item.mentor_enrolment_id),
        MatchRequest.status == RequestStatus.PENDING).order_by(MatchRequest.id)
        .with_for_update())
    pairing = create_pairing(session, item.mentee, item.mentor, source=PairingSource.REQUEST,
                             score=item.score, reasons=item.reasons, request_id=item.id)
    _answer(session, item, RequestStatus.ACCEPTED, now)
    notify(session, item.mentee.user_id, Kind.REQUEST_ACCEPTED, "pairing", pairing.id,
           mentor=item.mentor.user.name, program=item.program.name)
    cancelled = session.execute(
        update(MatchRequest)
        .where(MatchRequest.mentee_enrolment_id == item.mentee_enrolment_id,
               MatchRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.CANCELLED, decided_at=now)
        .returning(MatchRequest.id, MatchRequest.mentor_enrolment_id)
        .execution_options(synchronize_session=False)).all()
    _notify_enrolled(session, cancelled, Kind.REQUEST_CANCELLED, mentee=item.mentee.user.name,
                    program=item.program.name, reason="they now have a mentor")
    session.refresh(item.mentor)
    if item.mentor.seats_taken >= (item.mentor.capacity or 0):
        _decline_for_capacity(session, item, now)
    return pairing


def _decline_for_capacity(session: Session, accepted: MatchRequest, now: datetime) -> None:
    declined = session.execute(
        update(MatchRequest)
        .where(MatchRequest.mentor_enrolment_id == accepted.mentor_enrolment_id, waiting(now))
        .values(status=RequestStatus.DECLINED, decline_reason=DeclineReason.NO_CAPACITY,
                decided_at=now)
        .returning(MatchRequest.id, MatchRequest.mentee_enrolment_id)
        .execution_options(synchronize_session=False)).all()
    _notify_enrolled(session, declined, Kind.REQUEST_DECLINED, mentor=accepted.mentor.user.name,
                    program=accepted.program.name,
                    reason=DECLINE_REASONS[DeclineReason.NO_CAPACITY].lower())


def _notify_enrolled(session: Session, rows: Sequence[Any], kind: Kind, **data: Any) -> None:
    """Tell the person of each (request id, enrolment id) row; one query for all."""
    if not rows:
        return
    users = dict(session.execute(select(Enrolment.id, Enrolment.user_id).where(
        Enrolment.id.in_({mentee for _id, mentee in rows}))).all())
    for request_id, mentee in rows:
        notify(session, users[mentee], kind, "match_request", request_id, **data)


def _store_expired(session: Session, now: datetime, *where: ColumnElement[bool]) -> int:
    """Store as expired the pending requests past ``expires_at`` (among ``where``) and tell
    their mentees. Only rows this statement moved out of pending are told, so a request
    expired by two runs at once is announced once."""
    moved = session.scalars(
        update(MatchRequest)
        .where(MatchRequest.status == RequestStatus.PENDING, MatchRequest.expires_at <= now,
               *where)
        .values(status=RequestStatus.EXPIRED, decided_at=now)
        .returning(MatchRequest.id)
        .execution_options(synchronize_session=False)).all()
    if not moved:
        return 0
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentor_user = aliased(User)
    rows = session.execute(
        select(MatchRequest.id, mentee.user_id, mentor_user.name, Program.name)
        .join(mentee, MatchRequest.mentee_enrolment_id == mentee.id)
        .join(mentor, MatchRequest.mentor_enrolment_id == mentor.id)
        .join(mentor_user, mentor.user_id == mentor_user.id)
        .join(Program, MatchRequest.program_id == Program.id)
        .where(MatchRequest.id.in_(moved)))
    for request_id, user_id, mentor_name, program_name in rows:
        notify(session, user_id, Kind.REQUEST_EXPIRED, "match_request", request_id,
               mentor=mentor_name, program=program_name)
    return len(moved)


def expire_requests(session: Session, now: datetime | None = None) -> int:
    """Store every overdue pending request as expired; returns how many changed. Safe to
    run again or at the same time as another run (cron)."""
    return _store_expired(session, now or utcnow())

