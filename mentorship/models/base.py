"""What every model shares: the naive-UTC clock, the enums, and how enums are stored."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Enum, literal_column
from sqlalchemy.sql import operators
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.types import TypeEngine

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
    run (the home page's pairing query took 0.2 ms instead of 0.013). It is written when
    SQLAlchemy compiles the statement, which it does once per member compared and caches:
    rendered at each run instead (``literal_execute``), every run of the statement
    rewrote its SQL text. The values are the enum's own, plain words.
    """

    cache_ok = True

    class Comparator(Enum.Comparator):
        def operate(self, op: OperatorType, *other: Any, **kwargs: Any) -> ColumnElement[Any]:
            if op in (operators.eq, operators.ne) and len(other) == 1 \
                    and isinstance(other[0], enum.Enum):
                other = (_written(other[0], self.type),)
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator


def _written(member: enum.Enum, type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """``member``'s stored value as an SQL string literal, typed as its column."""
    value = str(member.value)
    if not value.replace("_", "").isalnum() or not value.isascii():
        raise ValueError(f"{member!r}: only plain words are written into SQL")
    return literal_column(f"'{value}'", type_)


def stored_enum(cls: type[enum.Enum]) -> Enum:
    """Store the values ("mentee"), not the member names; keep a CHECK on every backend."""
    return StoredEnum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, create_constraint=True,
                length=max(16, *(len(str(m.value)) for m in cls)),
                name=cls.__name__.lower())
