"""The pair's sessions (called meetings here: "session" already means two other things),
their prep notes, and each person's private calendar feed."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import stored_enum, utcnow

DURATION_MIN = 15
DURATION_MAX = 480


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    MISSED = "missed"


class Meeting(Base):
    """A session of a pair: planned (start in UTC, length, where, agenda), then logged.

    ``sequence`` is the iCalendar SEQUENCE: every change a calendar should pick up
    bumps it. ``version`` guards edits from two open forms.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(stored_enum(MeetingStatus),
                                                  default=MeetingStatus.SCHEDULED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    # The log, written after the session by either side.
    discussed: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    next_check_in: Mapped[date | None]
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    logged_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_meetings_pairing_id_starts_at", "pairing_id", "starts_at"),
        # The program dashboard: sessions per week, a pair's last session, its latest log.
        Index("ix_meetings_status_starts_at", "status", "starts_at", "pairing_id"),
        Index("ix_meetings_pairing_id_status_starts_at", "pairing_id", "status", "starts_at"),
        Index("ix_meetings_pairing_id_logged_at", "pairing_id", "logged_at", "id"),
        CheckConstraint(f"duration_minutes BETWEEN {DURATION_MIN} AND {DURATION_MAX}",
                        name="duration_range"),
    )
    __mapper_args__ = {"version_id_col": version}


class SessionWeek(Base):
    """How many of a program's sessions were completed in one week (Monday to Sunday,
    UTC), kept as sessions are logged, so the dashboard reads twelve rows instead of
    every session of twelve weeks."""

    __tablename__ = "session_weeks"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)  # its Monday
    completed: Mapped[int] = mapped_column(default=0)


class PrepNote(Base):
    """One side's preparation for a session, visible to both."""

    __tablename__ = "prep_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    wins: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    help_wanted: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("meeting_id", "author_id"),)


class CalendarFeed(Base):
    """A person's private calendar URL: only the SHA-256 of its secret is stored.

    Revoking deletes the row; a new feed gets a new secret.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
