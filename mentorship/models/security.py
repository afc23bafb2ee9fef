"""Security records: signed-in devices, API tokens and throttled attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.db import Base
from mentorship.models.base import utcnow


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


class PasswordToken(_HashedToken, Base):
    """A link to set a password: sent to people an admin imported, used once."""

    __tablename__ = "password_tokens"


class LoginFailure(Base):
    """A throttled attempt (a password check, a sign-up), counted per key.

    A row starts ``failed=False`` while its request is in flight, so simultaneous
    guesses count against each other; a wrong password marks it failed, a right one
    deletes it. A row left in flight by a request that died stops counting after a
    minute, so a crash is never held against the person.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    failed: Mapped[bool] = mapped_column(default=True, server_default=true())

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
