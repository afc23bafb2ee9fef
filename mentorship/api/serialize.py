"""ORM objects to the JSON shapes documented in the OpenAPI document (both from the specs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mentorship.models import Enrolment, Profile, Program, User
from mentorship.services.programs import program_weights
from mentorship.services.specs import PROFILE, PROGRAM, ROLE_SPECS


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601; stored datetimes are naive UTC, so they get the ``Z`` they stand for."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def account(user: User) -> dict[str, Any]:
    """The account as the API shows it: never the password hash."""
    return {"id": user.id, "name": user.name, "email": user.email, "is_admin": user.is_admin}


def profile(item: Profile) -> dict[str, Any]:
    """The profile's fields and its version (for ``If-Match``)."""
    return PROFILE.dump(item) | {"version": item.version}


def enrolment(item: Enrolment) -> dict[str, Any]:
    """The enrolment with the fields of its own role only."""
    return ({"id": item.id, "program_id": item.program_id, "program_name": item.program.name,
             "role": item.role.value} | ROLE_SPECS[item.role].dump(item)
            | {"version": item.version})


def program(item: Program) -> dict[str, Any]:
    """The program with its full set of weights (defaults filled in) and its version."""
    return ({"id": item.id} | PROGRAM.dump(item)
            | {"weights": program_weights(item), "version": item.version})
