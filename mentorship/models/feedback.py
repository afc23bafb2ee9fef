"""What each side tells the other: feedback after a session, the early "good fit?"
check, and the reflection when a mentorship ends. Private to the pair."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import Role, stored_enum, utcnow

RATING_MIN = 1
RATING_MAX = 5


class FitAnswer(enum.StrEnum):
    YES = "yes"
    UNSURE = "unsure"
    NO = "no"


class Feedback(Base):
    """One side's feedback on a completed session.

    ``advice`` is the mentor's advice or, from the mentee, what helped most; ``rating``
    is the session's usefulness (mentee) or the mentee's progress (mentor).
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"),
                                            index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_role: Mapped[Role] = mapped_column(stored_enum(Role))
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("meeting_id", "author_role"),
        CheckConstraint(f"rating BETWEEN {RATING_MIN} AND {RATING_MAX}", name="rating_range"),
        # The program dashboard: ratings per month, a pair's two newest (index only).
        Index("ix_feedback_pairing_id_created_at", "pairing_id", "created_at", "id",
              "author_role", "rating"),
    )


class RatingMonth(Base):
    """A program's ratings of one calendar month (UTC) from one side, kept up to date as
    feedback is given or erased, so the dashboard's trend reads a few rows instead of
    every rating. ``pairs`` counts the distinct pairs behind the ratings: the privacy
    floor is judged on it."""

    __tablename__ = "rating_months"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    author_role: Mapped[Role] = mapped_column(stored_enum(Role), primary_key=True)
    ratings: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    pairs: Mapped[int] = mapped_column(default=0)


class FitCheck(Base):
    """One side's private answer to "is this a good fit?" after the first session."""

    __tablename__ = "fit_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    author_role: Mapped[Role] = mapped_column(stored_enum(Role))
    answer: Mapped[FitAnswer] = mapped_column(stored_enum(FitAnswer))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("pairing_id", "author_role"),)


class Reflection(Base):
    """What one side takes away when the mentorship ends."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    author_role: Mapped[Role] = mapped_column(stored_enum(Role))
    what_changed: Mapped[str] = mapped_column(Text, default="")
    what_next: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("pairing_id", "author_role"),)
