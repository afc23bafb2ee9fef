"""What every model shares: the naive-UTC clock, the enums, and how enums are stored."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Enum, literal
from sqlalchemy.sql import operators
from sqlalchemy.sql.operators import OperatorType

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


class StoredEnum(Enum):
    """An enum column stored as its members' values.

    Compared with a member (``Pairing.status == PairingStatus.ACTIVE``), the value is
    written into the SQL instead of bound: when a bound value meets the condition of a
    partial index (``status = 'active'``), SQLite compiles the statement again on every
    run (the home page's pairing query took 0.2 ms instead of 0.013). The statement is
    still compiled and cached once by SQLAlchemy, and there are only a few members.
    """

    cache_ok = True

    class Comparator(Enum.Comparator):
        def operate(self, op: OperatorType, *other: Any, **kwargs: Any) -> ColumnElement[Any]:
            if op in (operators.eq, operators.ne) and len(other) == 1 \
                    and isinstance(other[0], enum.Enum):
                other = (literal(other[0], self.type, literal_execute=True),)
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator


def stored_enum(cls: type[enum.Enum]) -> Enum:
    """Store the values ("mentee"), not the member names; keep a CHECK on every backend."""
    return StoredEnum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, create_constraint=True,
                length=max(16, *(len(str(m.value)) for m in cls)),
                name=cls.__name__.lower())
