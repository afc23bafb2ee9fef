"""People: accounts and the profile each person shares across programs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from mentorship.db import Base
from mentorship.models.base import utcnow

if TYPE_CHECKING:
    from mentorship.models.programs import Enrolment

YEARS_MAX = 70  # years of experience a profile can claim


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the person deleted their account: the row stays as "A former member".
    deleted_at: Mapped[datetime | None]

    profile: Mapped[Profile] = relationship(back_populates="user", uselist=False,
                                            cascade="all, delete-orphan")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="user",
                                                       cascade="all, delete-orphan")
    # Loaded with the user by the sign-in cookie's query (the navigation shows it on every
    # page); None wherever the user was loaded otherwise.
    unread_notifications: Mapped[int | None] = query_expression()

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
    # Optimistic locking: a save from a form opened before another save is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    user: Mapped[User] = relationship(back_populates="profile")

    __mapper_args__ = {"version_id_col": version}
