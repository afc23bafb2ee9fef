"""The mentorship agreement: what a pair expects of each other, accepted by both.

Every edit is a new numbered version, so what each side accepted stays on record;
the highest number is the agreement in force once both sides have accepted it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import stored_enum, utcnow

SESSION_MINUTES_MIN = 15
SESSION_MINUTES_MAX = 240


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class Agreement(Base):
    """One version of a pair's agreement; accepted when both acceptance times are set."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    number: Mapped[int]
    cadence: Mapped[Cadence] = mapped_column(stored_enum(Cadence))
    session_minutes: Mapped[int]
    ends_on: Mapped[date | None]
    mentee_wants: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(500), default="")
    confidentiality: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    mentee_accepted_at: Mapped[datetime | None]
    mentor_accepted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("pairing_id", "number"),
        CheckConstraint(f"session_minutes BETWEEN {SESSION_MINUTES_MIN} AND {SESSION_MINUTES_MAX}",
                        name="session_minutes_range"),
    )
