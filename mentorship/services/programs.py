"""Programs (cohorts) and enrolments. Take a session; never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, undefer

from mentorship.models import Enrolment, Program, ProgramStatus, Role, User
from mentorship.services import audit
from mentorship.services.audit import Action
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.fields import clean_choice
from mentorship.services.specs import PROGRAM, ROLE_SPECS, Spec
from mentorship.services.versions import apply_changes
from mentorship.services.vocabulary import default_weights

S = TypeVar("S", bound=Select[*tuple[Any, ...]])

NAME_TAKEN = "Another program already has this name."


# The hot reads of signed-in pages are built on first use and kept: a statement built
# once keeps its SQL cache key, so a request pays neither for building it nor for
# keying the cache (and importing the app builds none).
@cache
def _programs_query(*, drafts: bool) -> Select[Program]:
    query = select(Program).order_by(*LISTED_ORDER)
    return with_counts(query) if drafts else query.where(shown_to_members())


def shown_to_members() -> ColumnElement[bool]:
    """Whether a program is listed for someone who is not an admin: every one but drafts."""
    return Program.status != ProgramStatus.DRAFT


LISTED_ORDER = (Program.starts_on.desc(), Program.id.desc())


def with_counts(query: S) -> S:
    """``query`` loading each program's counts too, for admins, whose pages show them.

    Built when a query is, never at import: a loader option configures every mapper
    when it is made, which would cost each start of the app and of every command."""
    return query.options(undefer(Program.mentee_count), undefer(Program.mentor_count))


@cache
def _enrolments_of_query() -> Select[Enrolment]:
    return (select(Enrolment).where(Enrolment.user_id == bindparam("user_id"))
            .options(joinedload(Enrolment.program)).order_by(Enrolment.created_at))


def visible_programs(session: Session, user: User) -> list[Program]:
    """Admins see every program; everyone else every program but drafts."""
    return list(session.scalars(_programs_query(drafts=user.is_admin)))


def get_program_for_user(session: Session, program_id: int, user: User) -> Program:
    """The program if ``user`` may see it; NotFound otherwise (drafts are admin-only)."""
    program = session.get(Program, program_id)
    if program is None or (program.status == ProgramStatus.DRAFT and not user.is_admin):
        raise NotFound("program")
    return program


def program_weights(program: Program | None) -> dict[str, float]:
    """The full set of weights a program matches with (the defaults where it set none)."""
    return default_weights() | dict(program.weights if program and program.weights else {})


def save_program(session: Session, data: Mapping[str, object],
                 program: Program | None = None, *, version: object = None,
                 by: User | None = None) -> Program:
    """Create (``program`` None) or partially update a program from raw input; an admin's
    change (``by``) goes in the audit log with the fields it changed."""
    created = program is None
    values = PROGRAM.clean(data, partial=program is not None)
    if "weights" in values:
        values["weights"] = program_weights(program) | values["weights"]
        if not any(values["weights"].values()):
            raise FieldErrors({"weights": "Give at least one criterion a weight above 0."})
    starts = values.get("starts_on", program.starts_on if program else None)
    ends = values.get("ends_on", program.ends_on if program else None)
    if starts and ends and ends < starts:
        raise FieldErrors({"ends_on": "The end date must be on or after the start date."})
    try:
        # Changes go inside the savepoint, so a refused name leaves the transaction usable.
        with session.begin_nested():  # the unique index decides, even between racing admins
            if program is None:
                program = Program(**values)
                session.add(program)
                session.flush()
            else:
                apply_changes(session, program, values, version=version, spec=PROGRAM)
    except IntegrityError:
        raise FieldErrors({"name": NAME_TAKEN}) from None
    if by is not None:
        audit.record(session, by, Action.PROGRAM_CREATED if created else Action.PROGRAM_EDITED,
                     program_id=program.id, target=program.name, fields=sorted(values))
    return program


def role_spec(role: object) -> tuple[Role, Spec]:
    """The role named by ``role`` and its fields; FieldErrors for anything else."""
    try:
        chosen = Role(clean_choice(role, [r.value for r in Role]))
    except ValueError as exc:
        raise FieldErrors({"role": str(exc)}) from None
    return chosen, ROLE_SPECS[chosen]


def enrol(session: Session, user: User, program: Program, role: object,
          data: Mapping[str, object]) -> Enrolment:
    """Join an open program as mentee or mentor; a second enrolment in one role is a Conflict."""
    chosen, spec = role_spec(role)
    if not program.is_open_for_enrolment:
        raise Conflict("This program is not open for enrolment.")
    values = spec.clean(data, partial=False)
    # By id, not relationship: an object attached to loaded collections but not yet in the
    # session makes the savepoint's autoflush warn and skip it.
    enrolment = Enrolment(program_id=program.id, user_id=user.id, role=chosen, **values)
    try:
        with session.begin_nested():  # the unique constraint decides, not a prior count
            session.add(enrolment)
            session.flush()
    except IntegrityError:
        raise Conflict(f"You are already enrolled in this program as {chosen.value}.") from None
    return enrolment


def update_enrolment(session: Session, enrolment: Enrolment, data: Mapping[str, object],
                     *, version: object = None) -> Enrolment:
    """Update the fields sent (StaleEdit if stale); capacity never drops below the seats taken."""
    spec = ROLE_SPECS[enrolment.role]
    values = spec.clean(data)
    if values.get("capacity") is not None and values["capacity"] < enrolment.seats_taken:
        raise FieldErrors({"capacity": f"You mentor {enrolment.seats_taken} people now: "
                                       "capacity cannot be lower until a mentorship ends."})
    apply_changes(session, enrolment, values, version=version, spec=spec)
    return enrolment


def get_enrolment_for_user(session: Session, enrolment_id: int, user: User) -> Enrolment:
    """The enrolment if it is ``user``'s own; NotFound for anyone else's."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user.id:
        raise NotFound("enrolment")
    return enrolment


def enrolments_of(session: Session, user: User) -> list[Enrolment]:
    """``user``'s enrolments, oldest first, with their programs loaded up front."""
    return list(session.scalars(_enrolments_of_query(), {"user_id": user.id}))


@cache
def _enrolment_counts_query() -> Select[int, int, int]:
    return select(Program.id, Program.mentee_count, Program.mentor_count)


def enrolment_counts(session: Session) -> dict[int, dict[str, int]]:
    """Mentees and mentors per program, as the database has them now: the counts it
    keeps on each program row as enrolments come and go, so no enrolment is read."""
    return {program_id: {"mentee": mentees, "mentor": mentors}
            for program_id, mentees, mentors in session.execute(_enrolment_counts_query())}


def counts_of(programs: Iterable[Program]) -> dict[int, dict[str, int]]:
    """Mentees and mentors per program of ``programs`` as loaded (a page's programs,
    read with their counts by ``visible_programs`` for an admin)."""
    return {p.id: {"mentee": p.mentee_count, "mentor": p.mentor_count} for p in programs}


def enrolments_in(session: Session, user: User, program: Program) -> list[Enrolment]:
    """``user``'s enrolments in ``program`` (none, one per role, or both)."""
    return list(session.scalars(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.program_id == program.id).order_by(Enrolment.role)))


def enrol_offer(program: Program, mine: list[Enrolment]) -> tuple[str | None, str] | None:
    """Which enrol button a person sees on a program: (role to preselect, label), or None."""
    if not program.is_open_for_enrolment:
        return None
    roles = {e.role for e in mine}
    if not roles:
        return None, f"Enrol in {program.name}"
    for role in (Role.MENTOR, Role.MENTEE):
        if role not in roles:
            return role.value, f"Also join as a {role.value}"
    return None
