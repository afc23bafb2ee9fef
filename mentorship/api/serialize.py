"""ORM objects to the JSON shapes documented in the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mentorship.models import Enrolment, Profile, Program, Role, User

ROLE_FIELDS = {
    Role.MENTEE: ("goals", "skills_to_grow"),
    Role.MENTOR: ("about", "expertise", "capacity", "availability"),
}


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601; stored datetimes are naive UTC, so they get the ``Z`` they stand for."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def account(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "email": user.email, "is_admin": user.is_admin}


def profile(item: Profile) -> dict[str, Any]:
    return {"headline": item.headline or "", "bio": item.bio or "",
            "languages": list(item.languages or []), "timezone": item.timezone,
            "years_experience": item.years_experience, "industry": item.industry or "",
            "skills": list(item.skills or [])}


def enrolment(item: Enrolment) -> dict[str, Any]:
    """The enrolment with the fields of its own role only."""
    data: dict[str, Any] = {"id": item.id, "program_id": item.program_id,
                            "program_name": item.program.name, "role": item.role.value}
    for name in ROLE_FIELDS[item.role]:
        value = getattr(item, name)
        data[name] = value.value if name == "availability" and value is not None else value
    return data


def program(item: Program) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "description": item.description or "",
            "starts_on": iso(item.starts_on), "ends_on": iso(item.ends_on),
            "status": item.status.value, "weights": dict(item.weights or {}),
            "max_timezone_gap_hours": item.max_timezone_gap_hours,
            "max_pending_requests": item.max_pending_requests}
