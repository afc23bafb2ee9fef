"""Programs (admins create and edit them) and the caller's enrolments in them."""

from __future__ import annotations

from typing import Any

from flask import url_for

from mentorship.api import serialize
from mentorship.api.auth import api_admin_required, api_login_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.validation import json_object, sent_version, versioned
from mentorship.db import get_session
from mentorship.models import Role
from mentorship.services import programs
from mentorship.services.errors import FieldErrors
from mentorship.services.specs import MENTEE, MENTOR, PROGRAM, ROLE_SPECS

ROLE_NAMES = frozenset(role.value for role in Role)
ENROLMENT_FIELDS = frozenset(MENTEE.names) | frozenset(MENTOR.names)


def reject_other_role_fields(role: Role, body: dict[str, Any]) -> None:
    """A mentee's enrolment has no capacity, a mentor's no goals: say so instead of ignoring."""
    foreign = {name: f"Not a field of a {role.value} enrolment."
               for name in body if name not in ROLE_SPECS[role].names and name != "version"}
    if foreign:
        raise FieldErrors(foreign)


@bp.get("/programs")
@api_login_required
def list_programs() -> dict[str, object]:
    """Every program the caller may see (drafts only for admins)."""
    found = programs.visible_programs(get_session(), current_api_user())
    return {"programs": [serialize.program(p) for p in found]}


@bp.post("/programs")
@api_admin_required
def create_program() -> tuple[dict[str, object], int, dict[str, str]]:
    """Create a program; 201 with its ``Location`` and ``ETag``."""
    body = json_object(PROGRAM.names)
    db = get_session()
    program = programs.save_program(db, body, by=current_api_user())
    db.commit()
    location = url_for(".get_program", program_id=program.id)
    return serialize.program(program), 201, {"Location": location, "ETag": f'"{program.version}"'}


@bp.get("/programs/<int:program_id>")
@api_login_required
def get_program(program_id: int) -> Any:
    """Drafts are 404 for everyone but admins, as if they did not exist."""
    program = programs.get_program_for_user(get_session(), program_id, current_api_user())
    return versioned(serialize.program(program))


@bp.patch("/programs/<int:program_id>")
@api_admin_required
def update_program(program_id: int) -> Any:
    """A partial update; ``If-Match`` or ``version`` makes it conditional (409 if stale)."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_api_user())
    body = json_object((*PROGRAM.names, "version"))
    program = programs.save_program(db, body, program, version=sent_version(body),
                                    by=current_api_user())
    db.commit()
    return versioned(serialize.program(program))


@bp.post("/programs/<int:program_id>/enrolments")
@api_login_required
def enrol(program_id: int) -> tuple[dict[str, object], int]:
    """Enrol the caller as mentee or mentor (201); other-role fields are refused, not ignored."""
    db = get_session()
    user = current_api_user()
    program = programs.get_program_for_user(db, program_id, user)
    body = json_object(ENROLMENT_FIELDS | {"role"})
    role = body.pop("role", None)
    if isinstance(role, str) and role in ROLE_NAMES:
        reject_other_role_fields(Role(role), body)
    enrolment = programs.enrol(db, user, program, role, body)
    db.commit()
    return serialize.enrolment(enrolment), 201


@bp.patch("/enrolments/<int:enrolment_id>")
@api_login_required
def update_enrolment(enrolment_id: int) -> Any:
    """Only your own enrolment; anyone else's is 404. The role itself cannot change."""
    db = get_session()
    enrolment = programs.get_enrolment_for_user(db, enrolment_id, current_api_user())
    body = json_object(ENROLMENT_FIELDS | {"version"})
    reject_other_role_fields(enrolment.role, body)
    enrolment = programs.update_enrolment(db, enrolment, body, version=sent_version(body))
    db.commit()
    return versioned(serialize.enrolment(enrolment))
