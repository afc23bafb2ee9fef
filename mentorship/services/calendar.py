"""Calendar files: one session's ``.ics``, and each person's private feed. Take a session;
never commit.

Events keep one UID per session (``meeting-<id>@<host>``) and carry its SEQUENCE, so a
calendar app updates the event it imported instead of adding another; a cancelled
session stays in the feed as ``STATUS:CANCELLED`` so apps remove it. Times are UTC.

A feed URL holds a secret; only its SHA-256 is stored. A wrong or revoked secret finds
nothing, and the answer is the same 404 either way.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from mentorship.models import CalendarFeed, Enrolment, Meeting, MeetingStatus, Pairing, User, utcnow

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Mentorship//Sessions//EN"
FEED_PAST = timedelta(days=90)  # how far back a feed keeps sessions, for recent history
FEED_MAX = 500
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Entry:
    """A session as a calendar shows it to one person."""

    meeting: Meeting
    partner_name: str


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def event(entry: Entry, host: str, stamp: datetime) -> Event:
    """The VEVENT of one session."""
    from icalendar import Event  # on first use: it would add 60 ms to every worker's start

    meeting = entry.meeting
    item = Event()
    item.add("uid", f"meeting-{meeting.id}@{host}")
    item.add("dtstamp", _utc(stamp))
    item.add("dtstart", _utc(meeting.starts_at))
    item.add("dtend", _utc(meeting.starts_at + timedelta(minutes=meeting.duration_minutes)))
    item.add("sequence", meeting.sequence)
    item.add("summary", f"Mentoring session with {entry.partner_name}")
    item.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    if meeting.location:
        item.add("location", meeting.location)
    if meeting.agenda:
        item.add("description", meeting.agenda)
    item.add("last-modified", _utc(meeting.updated_at))
    return item


def calendar(entries: list[Entry], host: str, *, name: str | None = None) -> bytes:
    """A VCALENDAR of ``entries``, serialised."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = utcnow()
    for entry in entries:
        cal.add_component(event(entry, host, stamp))
    return bytes(cal.to_ical())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    """The person's feed, if they made one (its secret cannot be shown again)."""
    return session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_feed(session: Session, user: User) -> str:
    """A new secret for the person's feed, replacing any earlier one; shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = feed_of(session, user)
    if feed is None:
        session.add(CalendarFeed(user_id=user.id, token_hash=hash_token(token)))
    else:  # the old secret stops working in the same statement
        feed.token_hash, feed.created_at = hash_token(token), utcnow()
    session.flush()
    return token


def revoke_feed(session: Session, user: User) -> bool:
    """Delete the person's feed: its URL stops working. False if there was none."""
    done = session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def user_for_feed(session: Session, token: str) -> User | None:
    """Whose feed ``token`` opens, or None (wrong, malformed or revoked)."""
    if not token or len(token) > 100:
        return None
    return session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                          .where(CalendarFeed.token_hash == hash_token(token)))


def entries_for(session: Session, user: User, *, now: datetime | None = None) -> list[Entry]:
    """The person's sessions over all their pairings, upcoming and of the last 90 days,
    each with the partner's name: one query whatever their number."""
    now = now or utcnow()
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    rows = session.execute(
        select(Meeting, mentee.user_id, mentee_user.name, mentor_user.name)
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .join(mentee, mentee.id == Pairing.mentee_enrolment_id)
        .join(mentor, mentor.id == Pairing.mentor_enrolment_id)
        .join(mentee_user, mentee_user.id == mentee.user_id)
        .join(mentor_user, mentor_user.id == mentor.user_id)
        .where((mentee.user_id == user.id) | (mentor.user_id == user.id),
               Meeting.starts_at >= now - FEED_PAST)
        .order_by(Meeting.starts_at, Meeting.id).limit(FEED_MAX))
    return [Entry(meeting, mentor_name if mentee_id == user.id else mentee_name)
            for meeting, mentee_id, mentee_name, mentor_name in rows]
