"""Programs (cohorts) and the enrolments of people in them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorship.db import Base
from mentorship.models.base import Availability, ProgramStatus, Role, stored_enum, utcnow

if TYPE_CHECKING:
    from mentorship.models.people import User

# Ranges the database enforces; the field specifications read them from here.
CAPACITY_MIN, CAPACITY_MAX = 1, 10
PENDING_MIN, PENDING_MAX = 1, 10
EXPIRY_MIN, EXPIRY_MAX = 1, 30  # days a match request stays pending
QUIET_MIN, QUIET_MAX = 1, 365  # days without a session or message before a pair is at risk


class Program(Base):
    """A cohort: who may enrol, when it runs, and how its matching is tuned."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[ProgramStatus] = mapped_column(stored_enum(ProgramStatus),
                                                  default=ProgramStatus.DRAFT)
    # Relative importance per matching criterion (always the full set; {} = the defaults).
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    max_timezone_gap_hours: Mapped[int | None]
    max_pending_requests: Mapped[int] = mapped_column(default=3)
    request_expiry_days: Mapped[int] = mapped_column(default=7, server_default="7")
    at_risk_after_days: Mapped[int] = mapped_column(default=21, server_default="21")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Kept by the database (models/enrolment_counts.py), whoever writes enrolments:
    # the admin overview reads these instead of counting every enrolment. Deferred, so
    # a loaded program carries no copy that an enrolment could leave stale.
    mentee_count: Mapped[int] = mapped_column(default=0, server_default="0", deferred=True)
    mentor_count: Mapped[int] = mapped_column(default=0, server_default="0", deferred=True)

    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="program",
                                                       cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                        name="dates_in_order"),
        CheckConstraint(f"max_pending_requests BETWEEN {PENDING_MIN} AND {PENDING_MAX}",
                        name="pending_range"),
        CheckConstraint(f"request_expiry_days BETWEEN {EXPIRY_MIN} AND {EXPIRY_MAX}",
                        name="expiry_range"),
        CheckConstraint(f"at_risk_after_days BETWEEN {QUIET_MIN} AND {QUIET_MAX}",
                        name="quiet_range"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open_for_enrolment(self) -> bool:
        """Only an open program takes new enrolments."""
        return self.status == ProgramStatus.OPEN


class Enrolment(Base):
    """A person's place in a program as mentee or mentor (one row per role)."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    # Indexed: every signed-in page looks up the person's enrolments.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(stored_enum(Role))
    # mentee side
    goals: Mapped[str] = mapped_column(Text, default="")
    skills_to_grow: Mapped[list[str]] = mapped_column(JSON, default=list)
    # mentor side
    about: Mapped[str] = mapped_column(Text, default="")
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None]
    availability: Mapped[Availability | None] = mapped_column(stored_enum(Availability))
    # A mentor's active pairings, moved only by conditional UPDATEs: the CHECK below
    # keeps it within capacity even if two acceptances race.
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    program: Mapped[Program] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(back_populates="enrolments")

    __table_args__ = (
        UniqueConstraint("program_id", "user_id", "role"),
        CheckConstraint(
            f"(role = 'mentor' AND capacity BETWEEN {CAPACITY_MIN} AND {CAPACITY_MAX}"
            " AND availability IS NOT NULL)"
            " OR (role = 'mentee' AND capacity IS NULL AND availability IS NULL)",
            name="role_fields",
        ),
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL AND seats_taken = 0 "
                        "OR seats_taken <= capacity)", name="seats_within_capacity"),
    )
    __mapper_args__ = {"version_id_col": version}
