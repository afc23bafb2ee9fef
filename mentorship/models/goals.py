"""The pair's goals, their action items, and the history of every change to them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import Role, stored_enum, utcnow

PROGRESS_MAX = 100


class GoalStatus(enum.StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Goal(Base):
    """A goal of the pair: what, how success is measured, by when, and how far along."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"),
                                            index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(stored_enum(GoalStatus), default=GoalStatus.OPEN)
    progress: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint(f"progress BETWEEN 0 AND {PROGRESS_MAX}", name="progress_range"),
    )
    __mapper_args__ = {"version_id_col": version}


class ActionItem(Base):
    """One step with an owner and a due date: under a goal, or a session's next step."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"),
                                                index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"),
                                                   index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[Role] = mapped_column(stored_enum(Role))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_action_items_pairing_id_done_at", "pairing_id", "done_at"),)


class GoalEvent(Base):
    """Who changed what on a goal (or one of its items), and when: append-only."""

    __tablename__ = "goal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    change: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
