"""What every model shares: the naive-UTC clock, the enums, and how enums are stored."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum

ID_MAX = 2**31 - 1  # ids are PostgreSQL ``integer``: a larger id cannot exist


def utcnow() -> datetime:
    """Now, as naive UTC: stored the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


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


def stored_enum(cls: type[enum.Enum]) -> Enum:
    """Store the values ("mentee"), not the member names; keep a CHECK on every backend."""
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, create_constraint=True,
                length=max(16, *(len(str(m.value)) for m in cls)),
                name=cls.__name__.lower())
