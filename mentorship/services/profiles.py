"""A person's profile, shared across programs. Take a session; never commit."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from mentorship.models import Profile, User
from mentorship.services.specs import PROFILE
from mentorship.services.versions import apply_changes


def get_profile(session: Session, user: User) -> Profile:
    """The user's profile, created empty on first use."""
    if user.profile is None:
        user.profile = Profile()
        session.flush()
    return user.profile


def update_profile(session: Session, user: User, data: Mapping[str, object],
                   *, version: object = None) -> Profile:
    """Apply the given fields (a partial update) to the profile seen at ``version``."""
    values = PROFILE.clean(data)
    profile = get_profile(session, user)
    apply_changes(session, profile, values, version=version, spec=PROFILE)
    return profile
