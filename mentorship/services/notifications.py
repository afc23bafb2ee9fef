"""In-app notifications. Take a session; never commit.

A notification is written in the same transaction as its event, so an event is never
recorded without its notice, nor a notice sent for an event that was rolled back.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mentorship.models import Notification, User, utcnow

PAGE = 50


class Kind(enum.StrEnum):
    """What happened; each kind has one sentence in ``describe``."""

    REQUEST_RECEIVED = "request_received"
    REQUEST_ACCEPTED = "request_accepted"
    REQUEST_DECLINED = "request_declined"
    REQUEST_EXPIRED = "request_expired"
    REQUEST_CANCELLED = "request_cancelled"
    PAIRED_BY_ROUND = "paired_by_round"
    PAIRING_ENDED = "pairing_ended"
    AGREEMENT_PROPOSED = "agreement_proposed"
    AGREEMENT_ACCEPTED = "agreement_accepted"
    SESSION_SCHEDULED = "session_scheduled"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_LOGGED = "session_logged"
    FEEDBACK_RECEIVED = "feedback_received"
    REMINDER_SESSION = "reminder_session"
    REMINDER_CHECK_IN = "reminder_check_in"
    REMINDER_ACTION_ITEMS = "reminder_action_items"
    REMINDER_AGREEMENT = "reminder_agreement"
    REMINDER_REQUEST = "reminder_request"
    PAIR_NUDGED = "pair_nudged"


TEXT = {
    Kind.REQUEST_RECEIVED: "{mentee} asked you to be their mentor in {program}.",
    Kind.REQUEST_ACCEPTED: "{mentor} accepted your request in {program}.",
    Kind.REQUEST_DECLINED: "{mentor} declined your request in {program}: {reason}.",
    Kind.REQUEST_EXPIRED: "Your request to {mentor} in {program} expired without an answer.",
    Kind.REQUEST_CANCELLED: "{mentee}'s request in {program} was cancelled: {reason}.",
    Kind.PAIRED_BY_ROUND: "You were paired with {partner} in {program}'s matching round.",
    Kind.PAIRING_ENDED: "{partner} ended your mentorship in {program}.",
    Kind.AGREEMENT_PROPOSED: "{partner} proposed a mentorship agreement in {program}: read it and accept.",
    Kind.AGREEMENT_ACCEPTED: "{partner} accepted your mentorship agreement in {program}.",
    Kind.SESSION_SCHEDULED: "{partner} scheduled a session with you on {when}.",
    Kind.SESSION_CHANGED: "{partner} changed your session on {when}.",
    Kind.SESSION_CANCELLED: "{partner} cancelled your session on {when}.",
    Kind.SESSION_LOGGED: "{partner} logged your session of {when}: see the next steps.",
    Kind.FEEDBACK_RECEIVED: "{partner} gave feedback on your session of {when}.",
    Kind.REMINDER_SESSION: "Reminder: your session with {partner} starts {when}.",
    Kind.REMINDER_CHECK_IN: "Reminder: your check-in with {partner} is due {when}.",
    Kind.REMINDER_ACTION_ITEMS: "Reminder: {count} action item(s) with {partner} are overdue.",
    Kind.REMINDER_AGREEMENT: "Reminder: your agreement with {partner} is waiting for your acceptance.",
    Kind.REMINDER_REQUEST: "Reminder: {mentee}'s request in {program} expires {when}.",
    Kind.PAIR_NUDGED: "The {program} team checked in on your mentorship with {partner}: {reason}",
}


def notify(session: Session, user_id: int, kind: Kind, subject_type: str, subject_id: int,
           **data: Any) -> None:
    """Record a notice for ``user_id`` about one object (the caller's transaction commits it)."""
    session.add(Notification(user_id=user_id, kind=kind.value, subject_type=subject_type,
                             subject_id=subject_id, data=data))


def describe(notification: Notification) -> str:
    """The sentence a person reads; missing words read as blanks rather than failing."""
    words = {key: "" for key in ("mentee", "mentor", "partner", "program", "reason", "when",
                                 "count")}
    return TEXT[Kind(notification.kind)].format(**(words | notification.data))


def notifications_of(session: Session, user: User, *, limit: int = PAGE) -> list[Notification]:
    """The newest first, one page; the query does not grow with the history."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    """How many notifications the user has not read (the navigation's badge)."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user: User, up_to_id: int | None = None) -> int:
    """Mark the user's unread notifications read (up to ``up_to_id``); returns how many."""
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if up_to_id is not None:
        query = query.where(Notification.id <= up_to_id)
    return session.execute(query.values(read_at=utcnow())).rowcount or 0  # type: ignore[attr-defined]
