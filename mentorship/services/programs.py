"""Programs (cohorts) and enrolments. Take a session; never commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mentorship.models import (
    Availability,
    Enrolment,
    Program,
    ProgramStatus,
    Role,
    User,
)
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.fields import (
    clean_capacity,
    clean_choice,
    clean_date,
    clean_fields,
    clean_int,
    clean_tags,
    clean_text,
)

WEIGHT_KEYS = ("text", "language", "timezone", "experience", "industry")


def clean_weights(value: object) -> dict[str, float]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ValueError("Must be an object of criterion weights.")
    unknown = set(value) - set(WEIGHT_KEYS)
    if unknown:
        raise ValueError(f"Unknown criterion: {', '.join(sorted(unknown))}.")
    weights = {}
    for key, weight in value.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 10:
            raise ValueError(f"Weight for {key} must be a number from 0 to 10.")
        weights[key] = float(weight)
    return weights


PROGRAM_FIELDS: dict[str, Callable[[object], Any]] = {
    "name": lambda v: clean_text(v, max_length=120, required=True),
    "description": lambda v: clean_text(v, max_length=4000),
    "starts_on": clean_date,
    "ends_on": clean_date,
    "status": lambda v: ProgramStatus(clean_choice(v, [s.value for s in ProgramStatus])),
    "weights": clean_weights,
    # Two places are at most 12 hours apart around the globe: a larger limit limits nothing.
    "max_timezone_gap_hours": lambda v: clean_int(v, low=0, high=12),
    "max_pending_requests": lambda v: clean_int(v, low=1, high=10, required=True),
}

MENTEE_FIELDS: dict[str, Callable[[object], Any]] = {
    "goals": lambda v: clean_text(v, max_length=4000),
    "skills_to_grow": clean_tags,
}
MENTOR_FIELDS: dict[str, Callable[[object], Any]] = {
    "about": lambda v: clean_text(v, max_length=4000),
    "expertise": clean_tags,
    "capacity": clean_capacity,
    "availability": lambda v: Availability(clean_choice(v, [a.value for a in Availability])),
}


def visible_programs(session: Session, user: User) -> list[Program]:
    """Admins see every program; everyone else every program but drafts."""
    query = select(Program).order_by(Program.starts_on.desc(), Program.id.desc())
    if not user.is_admin:
        query = query.where(Program.status != ProgramStatus.DRAFT)
    return list(session.scalars(query))


def get_program_for_user(session: Session, program_id: int, user: User) -> Program:
    """The program if ``user`` may see it; NotFound otherwise (drafts are admin-only)."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("program")
    if program.status == ProgramStatus.DRAFT and not user.is_admin:
        raise NotFound("program")
    return program


def save_program(session: Session, data: Mapping[str, object],
                 program: Program | None = None) -> Program:
    """Create (``program`` None) or partially update a program from raw input."""
    values = clean_fields(data, PROGRAM_FIELDS)
    if program is None:
        values = {"status": ProgramStatus.DRAFT, "max_pending_requests": 3} | values
        if "name" not in values:
            raise FieldErrors({"name": "This field is required."})
    starts = values.get("starts_on", program.starts_on if program else None)
    ends = values.get("ends_on", program.ends_on if program else None)
    if starts and ends and ends < starts:
        raise FieldErrors({"ends_on": "The end date must be on or after the start date."})
    target = program or Program()
    try:
        # Changes go inside the savepoint, so a refused name leaves the transaction usable.
        with session.begin_nested():  # the unique index decides, even between racing admins
            for key, value in values.items():
                setattr(target, key, value)
            session.add(target)
            session.flush()
    except IntegrityError:
        raise FieldErrors({"name": "Another program already has this name."}) from None
    return target


def enrol(session: Session, user: User, program: Program, role: object,
          data: Mapping[str, object]) -> Enrolment:
    """Join an open program as mentee or mentor; a second enrolment in one role is a Conflict."""
    try:
        role = Role(clean_choice(role, [r.value for r in Role]))
    except ValueError as exc:
        raise FieldErrors({"role": str(exc)}) from None
    if not program.is_open_for_enrolment:
        raise Conflict("This program is not open for enrolment.")
    rules = MENTEE_FIELDS if role == Role.MENTEE else MENTOR_FIELDS
    defaults = {} if role == Role.MENTEE else {"capacity": 2, "availability": "open"}
    values = clean_fields(defaults | dict(data), rules)
    # By id, not relationship: an object attached to loaded collections but not yet in the
    # session makes the savepoint's autoflush warn and skip it.
    enrolment = Enrolment(program_id=program.id, user_id=user.id, role=role, **values)
    try:
        with session.begin_nested():  # the unique constraint decides, not a prior count
            session.add(enrolment)
            session.flush()
    except IntegrityError:
        raise Conflict(f"You are already enrolled in this program as {role.value}.") from None
    return enrolment


def update_enrolment(session: Session, enrolment: Enrolment,
                     data: Mapping[str, object]) -> Enrolment:
    rules = MENTEE_FIELDS if enrolment.role == Role.MENTEE else MENTOR_FIELDS
    for key, value in clean_fields(data, rules).items():
        setattr(enrolment, key, value)
    session.flush()
    return enrolment


def get_enrolment_for_user(session: Session, enrolment_id: int, user: User) -> Enrolment:
    """The enrolment if it is ``user``'s own; NotFound for anyone else's."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user.id:
        raise NotFound("enrolment")
    return enrolment


def enrolments_of(session: Session, user: User) -> list[Enrolment]:
    return list(session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.program)).order_by(Enrolment.created_at)
    ))


def enrolment_counts(session: Session) -> dict[int, dict[str, int]]:
    """Mentees and mentors per program, in one grouped query (for the admin overview)."""
    rows = session.execute(select(Enrolment.program_id, Enrolment.role, func.count())
                           .group_by(Enrolment.program_id, Enrolment.role))
    counts: dict[int, dict[str, int]] = {}
    for program_id, role, n in rows:
        counts.setdefault(program_id, {"mentee": 0, "mentor": 0})[role.value] = n
    return counts
