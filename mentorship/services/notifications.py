"""Notifications, in the app and by email, and each person's choice of channel per kind.
Take a session; never commit.

A notification is written in the same transaction as its event, so an event is never
recorded without its notice, nor a notice sent for an event that was rolled back. When
the person wants that kind by email, ``notify`` also writes the email to the outbox in
that transaction; ``deliver-mail`` sends it after commit (``services/outbox.py``).
"""

from __future__ import annotations

import enum
import secrets
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnExpressionArgument,
    Integer,
    ScalarSelect,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import (
    Channel,
    Notification,
    NotificationPreference,
    OutboxEmail,
    User,
    utcnow,
)
from mentorship.services.bulk import bulk_insert, chunks
from mentorship.services.errors import Conflict, FieldErrors

PAGE = 50
CHUNK = 500  # notices per bulk statement


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


# The subject line of each kind's email.
SUBJECTS = {
    Kind.REQUEST_RECEIVED: "New mentoring request",
    Kind.REQUEST_ACCEPTED: "Your mentoring request was accepted",
    Kind.REQUEST_DECLINED: "Your mentoring request was declined",
    Kind.REQUEST_EXPIRED: "Your mentoring request expired",
    Kind.REQUEST_CANCELLED: "A mentoring request was cancelled",
    Kind.PAIRED_BY_ROUND: "You have a new mentorship",
    Kind.PAIRING_ENDED: "Your mentorship ended",
    Kind.AGREEMENT_PROPOSED: "Please read and accept your mentorship agreement",
    Kind.AGREEMENT_ACCEPTED: "Your mentorship agreement was accepted",
    Kind.SESSION_SCHEDULED: "A session was scheduled",
    Kind.SESSION_CHANGED: "Your session changed",
    Kind.SESSION_CANCELLED: "Your session was cancelled",
    Kind.SESSION_LOGGED: "Your session was logged",
    Kind.FEEDBACK_RECEIVED: "You received session feedback",
    Kind.REMINDER_SESSION: "Reminder: session coming up",
    Kind.REMINDER_CHECK_IN: "Reminder: check-in due",
    Kind.REMINDER_ACTION_ITEMS: "Reminder: overdue action items",
    Kind.REMINDER_AGREEMENT: "Reminder: agreement waiting for you",
    Kind.REMINDER_REQUEST: "Reminder: a request expires soon",
    Kind.PAIR_NUDGED: "The program team checked in on your mentorship",
}

# The choice on the preferences page is per group; each kind of a group gets it.
GROUPS: tuple[tuple[str, str, tuple[Kind, ...]], ...] = (
    ("requests", "Mentor requests and matching",
     (Kind.REQUEST_RECEIVED, Kind.REQUEST_ACCEPTED, Kind.REQUEST_DECLINED,
      Kind.REQUEST_EXPIRED, Kind.REQUEST_CANCELLED, Kind.PAIRED_BY_ROUND)),
    ("mentorship", "Your mentorship and its agreement",
     (Kind.PAIRING_ENDED, Kind.AGREEMENT_PROPOSED, Kind.AGREEMENT_ACCEPTED,
      Kind.PAIR_NUDGED)),
    ("sessions", "Sessions and feedback",
     (Kind.SESSION_SCHEDULED, Kind.SESSION_CHANGED, Kind.SESSION_CANCELLED,
      Kind.SESSION_LOGGED, Kind.FEEDBACK_RECEIVED)),
    ("reminders", "Reminders (sessions, check-ins, action items, agreements, requests)",
     (Kind.REMINDER_SESSION, Kind.REMINDER_CHECK_IN, Kind.REMINDER_ACTION_ITEMS,
      Kind.REMINDER_AGREEMENT, Kind.REMINDER_REQUEST)),
)
CHANNEL_LABELS = {Channel.APP: "In the app only",
                  Channel.EMAIL: "In the app and by email at once",
                  Channel.DIGEST: "In the app and in one daily email digest"}
# By default a notice that asks something of the person, or is about time, comes by
# email too; one that only tells what the partner did stays in the app.
IN_APP_BY_DEFAULT = {Kind.AGREEMENT_ACCEPTED, Kind.SESSION_LOGGED, Kind.FEEDBACK_RECEIVED}
DEFAULTS = {kind: Channel.APP if kind in IN_APP_BY_DEFAULT else Channel.EMAIL for kind in Kind}


def notify(session: Session, user_id: int, kind: Kind, subject_type: str, subject_id: int,
           **data: Any) -> None:
    """Record a notice for ``user_id`` about one object, and its email if they want one
    at once (the caller's transaction commits both, or neither)."""
    notification = Notification(user_id=user_id, kind=kind.value, subject_type=subject_type,
                                subject_id=subject_id, data=data)
    session.add(notification)
    row = session.execute(
        select(User.email, User.name, NotificationPreference.channel)
        .outerjoin(NotificationPreference, and_(NotificationPreference.user_id == User.id,
                                                NotificationPreference.kind == kind.value))
        .where(User.id == user_id)).one_or_none()
    if row is None or (row.channel or DEFAULTS[kind]) != Channel.EMAIL:
        return
    session.flush()  # the notification's id names the email
    notification.emailed_at = utcnow()  # so a digest never repeats it
    session.add(OutboxEmail(user_id=user_id, to_address=row.email, subject=SUBJECTS[kind],
                            body=email_body(row.name, [describe(notification)]),
                            message_id=f"notification-{notification.id}."
                                       f"{secrets.token_hex(6)}"))


def notify_many(session: Session, notices: Sequence[tuple[int, Kind, str, int, dict[str, Any]]]
                ) -> None:
    """``notify`` for many notices (user id, kind, subject type, subject id, data) in a few
    statements per chunk: for bulk events such as publishing a matching round."""
    for chunk in chunks(notices, CHUNK):
        users = {n[0] for n in chunk}
        people = {uid: (email, name) for uid, email, name in session.execute(
            select(User.id, User.email, User.name).where(User.id.in_(users)))}
        chosen = {(uid, kind): channel for uid, kind, channel in session.execute(
            select(NotificationPreference.user_id, NotificationPreference.kind,
                   NotificationPreference.channel)
            .where(NotificationPreference.user_id.in_(users),
                   NotificationPreference.kind.in_({n[1].value for n in chunk})))}
        now = utcnow()
        by_email = [uid in people and chosen.get((uid, kind.value), DEFAULTS[kind])
                    == Channel.EMAIL for uid, kind, _type, _id, _data in chunk]
        # Written with the database's bulk path (COPY on PostgreSQL): every column given,
        # none read back. An email's key names no notification id, so none is needed.
        bulk_insert(session, cast(Table, Notification.__table__), [
            {"user_id": uid, "kind": kind.value, "subject_type": subject_type,
             "subject_id": subject_id, "data": data, "created_at": now, "read_at": None,
             "emailed_at": now if email else None}
            for (uid, kind, subject_type, subject_id, data), email in zip(chunk, by_email,
                                                                          strict=True)])
        bulk_insert(session, cast(Table, OutboxEmail.__table__), [
            {"user_id": uid, "to_address": people[uid][0], "subject": SUBJECTS[kind],
             "body": email_body(people[uid][1], [describe(Notification(kind=kind.value,
                                                                        data=data))]),
             "message_id": f"notification-{secrets.token_hex(12)}", "created_at": now,
             "next_attempt_at": now, "attempts": 0, "sent_at": None, "last_error": ""}
            for (uid, kind, _type, _id, data), email in zip(chunk, by_email, strict=True)
            if email])


def email_body(name: str, sentences: list[str]) -> str:
    """The text of an email: a greeting and one paragraph per notice (links come at
    delivery, from ``MAIL_SITE_URL``)."""
    return f"Hello {name},\n\n" + "\n\n".join(sentences) + "\n"


def preferences_of(session: Session, user: User) -> dict[Kind, Channel]:
    """The channel of every kind for ``user``: their choice, else the default."""
    chosen: dict[str, Channel] = {kind: channel for kind, channel in session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == user.id))}
    return {kind: chosen.get(kind.value, DEFAULTS[kind]) for kind in Kind}


def group_channels(preferences: dict[Kind, Channel]) -> dict[str, Channel]:
    """Per group, the channel most of its kinds use (they differ only if set one by one)."""
    return {name: Counter(preferences[k] for k in kinds).most_common(1)[0][0]
            for name, _label, kinds in GROUPS}


def set_preferences(session: Session, user: User, choices: dict[str, object]
                    ) -> dict[Kind, Channel]:
    """Store ``choices``: group or kind name -> "app", "email" or "digest" (a kind named
    after its group wins). FieldErrors names each unknown key or channel."""
    groups = {name: kinds for name, _label, kinds in GROUPS}
    problems: dict[str, str] = {}
    wanted: dict[Kind, Channel] = {}
    kind_names = {k.value for k in Kind}
    for key, value in sorted(choices.items(), key=lambda item: item[0] in kind_names):
        if key not in groups and key not in kind_names:
            problems[key] = "Unknown kind of notification."
        elif value not in {c.value for c in Channel}:
            problems[key] = "Choose app, email or digest."
        else:
            kinds = groups.get(key) or (Kind(key),)
            wanted |= dict.fromkeys(kinds, Channel(str(value)))
    if problems:
        raise FieldErrors(problems)
    if wanted:
        try:
            with session.begin_nested():
                session.execute(delete(NotificationPreference).where(
                    NotificationPreference.user_id == user.id,
                    NotificationPreference.kind.in_([k.value for k in wanted])))
                session.execute(insert(NotificationPreference), [
                    {"user_id": user.id, "kind": k.value, "channel": c} for k, c in wanted.items()])
        except IntegrityError:  # the same person saved twice at once
            raise Conflict("Your preferences were saved elsewhere at the same moment; "
                           "reload and choose again.") from None
    return preferences_of(session, user)


def describe(notification: Notification) -> str:
    """The sentence a person reads; missing words read as blanks rather than failing."""
    words = {key: "" for key in ("mentee", "mentor", "partner", "program", "reason", "when",
                                 "count")}
    return TEXT[Kind(notification.kind)].format(**(words | notification.data))


def notifications_of(session: Session, user: User, *, limit: int = PAGE) -> list[Notification]:
    """The newest first, one page; the query does not grow with the history."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def unread_of(user_id: ColumnExpressionArgument[int]) -> ScalarSelect[int]:
    """How many notifications ``user_id`` has not read (the navigation's badge), as a
    column: the sign-in cookie's query reads it with the user."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


@cache
def _unread_query() -> Select[int]:
    """Built on first use and kept: a statement built once keeps its SQL cache key."""
    return select(unread_of(bindparam("user_id", type_=Integer)))


def unread_count(session: Session, user: User) -> int:
    """How many notifications the user has not read (the navigation's badge)."""
    return session.scalar(_unread_query(), {"user_id": user.id}) or 0


def mark_read(session: Session, user: User, up_to_id: int | None = None) -> int:
    """Mark the user's unread notifications read (up to ``up_to_id``); returns how many."""
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if up_to_id is not None:
        query = query.where(Notification.id <= up_to_id)
    return session.execute(query.values(read_at=utcnow())).rowcount or 0  # type: ignore[attr-defined]
