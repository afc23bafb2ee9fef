"""The audit log of admin actions: who did what, when. Append-only.

Rows are only ever inserted: the ORM refuses to update or delete one, and nothing in
the app offers to. The actor's name is copied in, so the entry still reads right after
the account is deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from mentorship.db import Base
from mentorship.models.base import utcnow


class AuditEntry(Base):
    """One admin action (a program edit, a round published, a pair ended, an import…)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_audit_entries_program_id_at", "program_id", "at"),)


class AppendOnly(Exception):
    """An attempt to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse(_mapper: Mapper[Any], _connection: object, _target: AuditEntry) -> None:
    raise AppendOnly("The audit log is append-only.")
