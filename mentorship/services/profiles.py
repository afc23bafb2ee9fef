"""A person's profile, shared across programs. Take a session; never commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from mentorship.models import Profile, User
from mentorship.services.fields import (
    clean_fields,
    clean_languages,
    clean_tags,
    clean_text,
    clean_timezone,
    clean_years,
)

PROFILE_FIELDS: dict[str, Callable[[object], Any]] = {
    "headline": lambda v: clean_text(v, max_length=140),
    "bio": lambda v: clean_text(v, max_length=4000),
    "languages": clean_languages,
    "timezone": clean_timezone,
    "years_experience": clean_years,
    "industry": lambda v: clean_text(v.lower() if isinstance(v, str) else v, max_length=80),
    "skills": clean_tags,
}


def get_profile(session: Session, user: User) -> Profile:
    """The user's profile, created empty on first use."""
    if user.profile is None:
        user.profile = Profile()
        session.flush()
    return user.profile


def update_profile(session: Session, user: User, data: Mapping[str, object]) -> Profile:
    """Apply the given fields (a partial update); unknown keys are the caller's concern."""
    values = clean_fields(data, PROFILE_FIELDS)
    profile = get_profile(session, user)
    for name, value in values.items():
        setattr(profile, name, value)
    return profile
