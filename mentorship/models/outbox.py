"""Email delivery: an outbox written with its event, each person's choice of channel per
kind of notice, and the reminders already sent (so a reminder goes out once a day)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import stored_enum, utcnow


class Channel(enum.StrEnum):
    APP = "app"
    EMAIL = "email"
    DIGEST = "digest"


class OutboxEmail(Base):
    """An email waiting for delivery (or delivered). Written in its event's transaction;
    the delivery command sends after commit and retries with back-off."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_outbox_emails_sent_at_next_attempt_at", "sent_at",
                            "next_attempt_at"),)


class NotificationPreference(Base):
    """How a person wants one kind of notice: in the app only, by email too, or a digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[Channel] = mapped_column(stored_enum(Channel))


class ReminderSent(Base):
    """A reminder already given: one per thing, person and day, held by a unique key."""

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    on_day: Mapped[date]

    __table_args__ = (UniqueConstraint("user_id", "kind", "subject_id", "on_day"),)
