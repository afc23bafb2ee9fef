"""The audit log of admin actions. Take a session; never commit.

Recorded in the same transaction as the action itself, so the log never claims an
action that was rolled back, nor misses one that was kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import AuditEntry, User

PAGE = 100


class Action:
    """The actions the log names (stable strings: exports and filters rely on them)."""

    PROGRAM_CREATED = "program_created"
    PROGRAM_EDITED = "program_edited"
    ROUND_PUBLISHED = "round_published"
    PAIRING_ENDED = "pairing_ended"
    PAIR_NUDGED = "pair_nudged"
    PARTICIPANTS_IMPORTED = "participants_imported"
    DATA_EXPORTED = "data_exported"


LABELS = {Action.PROGRAM_CREATED: "Created the program",
          Action.PROGRAM_EDITED: "Edited the program",
          Action.ROUND_PUBLISHED: "Published a matching round",
          Action.PAIRING_ENDED: "Ended a mentorship",
          Action.PAIR_NUDGED: "Nudged a pair",
          Action.PARTICIPANTS_IMPORTED: "Imported participants",
          Action.DATA_EXPORTED: "Exported data"}


COMMAND_LINE = "Command line"


def record(session: Session, actor: User | None, action: str, *, program_id: int | None = None,
           target: str = "", **details: Any) -> AuditEntry:
    """Append one entry: ``actor`` (None: a command run on the server) did ``action``
    (to ``target``), with ``details``."""
    entry = AuditEntry(program_id=program_id, actor_id=actor.id if actor else None,
                       actor_name=actor.name if actor else COMMAND_LINE,
                       action=action, target=target, details=details)
    session.add(entry)
    return entry


def entries(session: Session, program_id: int | None = None, *, before: int | None = None,
            limit: int = PAGE) -> list[AuditEntry]:
    """The newest entries first (of one program, or all), one page older than ``before``."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if program_id is not None:
        query = query.where(AuditEntry.program_id == program_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return list(session.scalars(query))
