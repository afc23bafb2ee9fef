"""The email outbox: which emails are due, claiming one before it is sent, recording how
it went, and the daily digest. Take a session; never commit.

Emails are written to the outbox in their event's transaction (``notifications.notify``),
so a rolled-back event sends nothing. Delivery runs after commit, one email at a time:

1. ``claim`` moves the email's ``next_attempt_at`` a lease into the future and counts
   the attempt, in one conditional UPDATE that only one run can win (on SQLite and
   PostgreSQL alike); the caller commits the claim *before* sending.
2. The caller sends, then ``mark_sent`` (or ``mark_failed``) and commits again.

A run that dies between sending and marking leaves the email claimed but unsent: it is
due again when the lease runs out, so it is never lost. It may then arrive twice, with
the same Message-ID, which mail clients treat as one message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import Channel, Notification, NotificationPreference, OutboxEmail, User
from mentorship.services.notifications import describe, email_body

LEASE = timedelta(minutes=10)  # a claimed email is due again after this if its run died
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
DIGEST_PERIOD = timedelta(days=1)
ERROR_MAX = 2000  # characters of the last error kept


@dataclass(frozen=True)
class Claimed:
    """An email this run may send: what the mail layer needs, nothing live."""

    id: int
    key: str
    to: str
    subject: str
    body: str
    created_at: datetime
    attempts: int


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, up to 6 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _waiting(now: datetime, max_attempts: int) -> tuple[ColumnElement[bool], ...]:
    return (OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now,
            OutboxEmail.attempts < max_attempts)


def due(session: Session, now: datetime, *, max_attempts: int, limit: int) -> list[int]:
    """The ids of unsent emails whose time has come, oldest first."""
    return list(session.scalars(select(OutboxEmail.id).where(*_waiting(now, max_attempts))
                                .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
                                .limit(limit)))


def claim(session: Session, email_id: int, now: datetime, *, max_attempts: int
          ) -> Claimed | None:
    """Take the email for this run (None if another run has it, or it went meanwhile)."""
    taken = session.execute(
        update(OutboxEmail).where(OutboxEmail.id == email_id, *_waiting(now, max_attempts))
        .values(attempts=OutboxEmail.attempts + 1, next_attempt_at=now + LEASE)
        .returning(OutboxEmail.message_id, OutboxEmail.to_address, OutboxEmail.subject,
                   OutboxEmail.body, OutboxEmail.created_at, OutboxEmail.attempts)
        .execution_options(synchronize_session=False)).one_or_none()
    if taken is None:
        return None
    return Claimed(email_id, *taken)


def mark_sent(session: Session, email_id: int, now: datetime) -> None:
    """The server accepted the email: its body goes. A body can hold a set-password
    link, and once the email is delivered it is only a copy of what the person can
    read in the app; the row stays as the record of what was sent, and when."""
    session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id)
                    .values(sent_at=now, last_error="", body="")
                    .execution_options(synchronize_session=False))


def mark_failed(session: Session, claimed: Claimed, error: str, now: datetime, *,
                permanent: bool, max_attempts: int) -> bool:
    """Record a failed attempt and when to try again; True if delivery gives up (a
    permanent refusal, or the last attempt allowed)."""
    gives_up = permanent or claimed.attempts >= max_attempts
    session.execute(update(OutboxEmail).where(OutboxEmail.id == claimed.id).values(
        last_error=error[:ERROR_MAX], next_attempt_at=now + backoff(claimed.attempts),
        attempts=max(claimed.attempts, max_attempts) if gives_up else claimed.attempts,
        **({"body": ""} if gives_up else {}))  # never sent: no copy of its link is kept
        .execution_options(synchronize_session=False))
    return gives_up


def given_up(session: Session, *, max_attempts: int) -> int:
    """How many unsent emails delivery no longer tries (their ``last_error`` says why)."""
    return session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.sent_at.is_(None), OutboxEmail.attempts >= max_attempts)) or 0


def with_links(body: str, site_url: str) -> str:
    """The stored body with the links every email ends with."""
    site = site_url.rstrip("/")
    return (f"{body}\nSee it in Mentorship: {site}/notifications\n\n"
            f"-- \nChoose what comes by email: {site}/notifications/preferences\n")


@dataclass(frozen=True)
class DigestRun:
    people: int
    notices: int


def queue_digests(session: Session, now: datetime) -> DigestRun:
    """One outbox email per person who chose a digest, gathering their notices of the
    last day that no email carried yet; the notices are marked emailed.

    Safe to run again: the email's key names the person and the day (unique), and the
    notices it carries are marked in the same transaction.
    """
    rows = session.execute(
        select(Notification, User.email, User.name)
        .join(NotificationPreference, and_(NotificationPreference.user_id == Notification.user_id,
                                           NotificationPreference.kind == Notification.kind))
        .join(User, User.id == Notification.user_id)
        .where(NotificationPreference.channel == Channel.DIGEST,
               Notification.emailed_at.is_(None),
               Notification.created_at > now - DIGEST_PERIOD, Notification.created_at <= now)
        .order_by(Notification.user_id, Notification.id)).all()
    people: dict[int, list[Notification]] = {}
    addresses: dict[int, tuple[str, str]] = {}
    for notification, email, name in rows:
        people.setdefault(notification.user_id, []).append(notification)
        addresses[notification.user_id] = (email, name)
    sent = 0
    for user_id, notices in people.items():
        email, name = addresses[user_id]
        if _queue_digest(session, user_id, email, name, notices, now):
            sent += len(notices)
        else:
            del addresses[user_id]
    return DigestRun(len(addresses), sent)


def _queue_digest(session: Session, user_id: int, email: str, name: str,
                  notices: Iterable[Notification], now: datetime) -> bool:
    notices = list(notices)
    count = len(notices)
    try:
        with session.begin_nested():
            session.add(OutboxEmail(
                user_id=user_id, to_address=email,
                subject=f"Your Mentorship digest: {count} notice{'s' if count != 1 else ''}",
                body=email_body(name, [describe(n) for n in notices]),
                message_id=f"digest-{user_id}-{now.date().isoformat()}"))
            session.flush()
    except IntegrityError:  # today's digest went already; these wait for tomorrow's
        return False
    session.execute(update(Notification).where(Notification.id.in_([n.id for n in notices]))
                    .values(emailed_at=now).execution_options(synchronize_session=False))
    return True
