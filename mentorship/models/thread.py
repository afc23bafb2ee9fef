"""The pair's thread: messages in Markdown and where each side last read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import utcnow

MESSAGE_MAX = 10_000
CLIENT_KEY_MAX = 64


class Message(Base):
    """One message; a deleted one keeps its row as a tombstone with an empty body.

    ``client_key`` is the sender's idempotency key: the same key from the same author in
    the same pairing stores one message, however often it is submitted.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    client_key: Mapped[str] = mapped_column(String(CLIENT_KEY_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("pairing_id", "author_id", "client_key"),
        Index("ix_messages_pairing_id_id", "pairing_id", "id"),
    )


class ThreadRead(Base):
    """The newest message a participant has seen in a pairing's thread (the read marker)."""

    __tablename__ = "thread_reads"

    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
