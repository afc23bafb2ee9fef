"""Matching in the app: requests, pairings, admin rounds and their proposals, notifications.

The rules that must hold under concurrent requests are the database's to keep:
* a mentee has at most one active pairing per program (partial unique index);
* a mentor's active pairings never exceed capacity (``Enrolment.seats_taken``, moved
  only by conditional UPDATEs, and a CHECK that it stays within capacity);
* one pending request per mentee–mentor pair (partial unique index);
* at most one running round per program (partial unique index).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorship.db import Base
from mentorship.models.base import stored_enum, utcnow
from mentorship.models.programs import Enrolment, Program


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class DeclineReason(enum.StrEnum):
    NO_CAPACITY = "no_capacity"
    NOT_MY_EXPERTISE = "not_my_expertise"
    SOMEONE_ELSE_FITS_BETTER = "someone_else_fits_better"
    SCHEDULE = "schedule"
    OTHER = "other"


class PairingStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class PairingSource(enum.StrEnum):
    REQUEST = "request"
    ROUND = "round"


class EndReason(enum.StrEnum):
    GOALS_MET = "goals_met"
    NOT_A_GOOD_FIT = "not_a_good_fit"
    NO_TIME = "no_time"
    PROGRAM_ENDED = "program_ended"
    OTHER = "other"


class RoundStatus(enum.StrEnum):
    RUNNING = "running"
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"
    FAILED = "failed"


def _pending_only(column: str) -> dict[str, Any]:
    """A partial index's condition on both databases."""
    return {"sqlite_where": text(f"{column} = 'pending'"),
            "postgresql_where": text(f"{column} = 'pending'")}


class MatchRequest(Base):
    """A mentee asking one mentor of a program to mentor them."""

    __tablename__ = "match_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentee_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    mentor_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(stored_enum(RequestStatus),
                                                  default=RequestStatus.PENDING)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(stored_enum(DeclineReason))
    decline_note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None]
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]

    program: Mapped[Program] = relationship()
    mentee: Mapped[Enrolment] = relationship(foreign_keys=[mentee_enrolment_id])
    mentor: Mapped[Enrolment] = relationship(foreign_keys=[mentor_enrolment_id])

    __table_args__ = (
        Index("uq_match_requests_pending_pair", "mentee_enrolment_id", "mentor_enrolment_id",
              unique=True, **_pending_only("status")),
        # A mentor's waiting requests (dashboard count, incoming list) without their history.
        Index("ix_match_requests_pending_mentor", "mentor_enrolment_id", "expires_at",
              **_pending_only("status")),
    )


class Pairing(Base):
    """A mentee and a mentor of one program working together (or having done so)."""

    __tablename__ = "pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            index=True)
    mentee_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    mentor_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    status: Mapped[PairingStatus] = mapped_column(stored_enum(PairingStatus),
                                                  default=PairingStatus.ACTIVE)
    source: Mapped[PairingSource] = mapped_column(stored_enum(PairingSource))
    score: Mapped[float | None]
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_requests.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_rounds.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[EndReason | None] = mapped_column(stored_enum(EndReason))
    end_note: Mapped[str] = mapped_column(Text, default="")
    # The start of its latest completed session, kept by services/session_counts.
    last_session_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
    mentee: Mapped[Enrolment] = relationship(foreign_keys=[mentee_enrolment_id])
    mentor: Mapped[Enrolment] = relationship(foreign_keys=[mentor_enrolment_id])

    __table_args__ = (
        Index("uq_pairings_active_mentee", "mentee_enrolment_id", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )


class MatchRound(Base):
    """An admin's matching round for a program: run, adjusted, then published or discarded."""

    __tablename__ = "match_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            index=True)
    status: Mapped[RoundStatus] = mapped_column(stored_enum(RoundStatus),
                                                default=RoundStatus.RUNNING)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The current run's start: a round re-runs in place, so created_at cannot tell.
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")

    program: Mapped[Program] = relationship()
    proposals: Mapped[list[RoundProposal]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundProposal.id")
    exclusions: Mapped[list[RoundExclusion]] = relationship(
        back_populates="round", cascade="all, delete-orphan")

    __table_args__ = (
        Index("uq_match_rounds_running_program", "program_id", unique=True,
              sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
    )


class _RoundPair:
    """A mentee and a mentor named in one round (a proposal or an exclusion)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"))
    mentor_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"))


class RoundProposal(_RoundPair, Base):
    """One proposed pair of a round's draft; a pinned one survives every re-run."""

    __tablename__ = "round_proposals"

    score: Mapped[float]
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(default=False)

    round: Mapped[MatchRound] = relationship(back_populates="proposals")
    mentee: Mapped[Enrolment] = relationship(
        foreign_keys="RoundProposal.mentee_enrolment_id")
    mentor: Mapped[Enrolment] = relationship(
        foreign_keys="RoundProposal.mentor_enrolment_id")

    __table_args__ = (UniqueConstraint("round_id", "mentee_enrolment_id"),)


class RoundExclusion(_RoundPair, Base):
    """A pair the admin ruled out of a round; kept across re-runs."""

    __tablename__ = "round_exclusions"

    round: Mapped[MatchRound] = relationship(back_populates="exclusions")

    __table_args__ = (
        UniqueConstraint("round_id", "mentee_enrolment_id", "mentor_enrolment_id"),
    )


class Notification(Base):
    """Something that happened to a person, written in the same transaction as the event.

    ``subject_type`` and ``subject_id`` name the object it is about (a request, a
    pairing); ``data`` holds the few words the list shows. ``emailed_at`` is for email
    delivery, which reads this table too.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        CheckConstraint("subject_id > 0", name="subject_given"),
    )
