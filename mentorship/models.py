"""ORM models: people, programs, enrolments, and the security records around them."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,

)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorship.db import Base

CAPACITY_MIN, CAPACITY_MAX = 1, 10


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive UTC: same on SQLite and PostgreSQL


class Role(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    RUNNING = "running"
    CLOSED = "closed"


class Availability(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the values ("mentee"), not the member names; keep a CHECK on every backend.
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, create_constraint=True, length=16,
                name=cls.__name__.lower())


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[Profile] = relationship(back_populates="user", uselist=False,
                                            cascade="all, delete-orphan")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="user",
                                                       cascade="all, delete-orphan")

    def get_id(self) -> str | None:
        """Flask-Login stores this in the cookie: a device session token, never the user id.

        The token is set on the instance by the login loader or at sign-in; deleting its
        ``LoginSession`` row makes every copy of the cookie worthless.
        """
        return getattr(self, "login_token", None)


class Profile(Base):
    """What a person says about themself, shared by all their enrolments."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    headline: Mapped[str] = mapped_column(String(140), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str | None] = mapped_column(String(64))
    years_experience: Mapped[int | None]
    industry: Mapped[str] = mapped_column(String(80), default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")


class Program(Base):
    """A cohort: who may enrol, when it runs, and how its matching is tuned."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[ProgramStatus] = mapped_column(_enum(ProgramStatus),
                                                  default=ProgramStatus.DRAFT)
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    max_timezone_gap_hours: Mapped[int | None]
    max_pending_requests: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="program",
                                                       cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                        name="dates_in_order"),
        CheckConstraint("max_pending_requests BETWEEN 1 AND 10", name="pending_range"),
    )

    @property
    def is_open_for_enrolment(self) -> bool:
        return self.status == ProgramStatus.OPEN


class Enrolment(Base):
    """A person's place in a program as mentee or mentor (one row per role)."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role))
    # mentee side
    goals: Mapped[str] = mapped_column(Text, default="")
    skills_to_grow: Mapped[list[str]] = mapped_column(JSON, default=list)
    # mentor side
    about: Mapped[str] = mapped_column(Text, default="")
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None]
    availability: Mapped[Availability | None] = mapped_column(_enum(Availability))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

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
    )


class _HashedToken:
    """A secret handed to one user; only its SHA-256 is stored, and it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginSession(_HashedToken, Base):
    """One signed-in device. Deleting the row signs that device out for good."""

    __tablename__ = "login_sessions"


class ApiToken(_HashedToken, Base):
    """A personal API token for scripts and integrations."""

    __tablename__ = "api_tokens"


class LoginFailure(Base):
    """A failed sign-in, counted per account and per address to throttle guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)


__all__ = ["Role", "ProgramStatus", "Availability", "User", "Profile", "Program",
           "Enrolment", "LoginSession", "ApiToken", "LoginFailure", "utcnow"]
