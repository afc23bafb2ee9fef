"""Pairings: a mentee and a mentor working together. Take a session; never commit.

Two rules hold however many requests race, because the database decides them:
a mentor's seat is taken by one conditional UPDATE (``seats_taken < capacity``), and
a mentee's second active pairing in a program breaks a partial unique index. Both
happen inside one savepoint, so a refusal leaves nothing half done.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from mentorship.models import (
    EndReason,
    Enrolment,
    Pairing,
    PairingSource,
    PairingStatus,
    Role,
    User,
    utcnow,
)
from mentorship.services import audit
from mentorship.services.audit import Action
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.fields import clean_choice, clean_text
from mentorship.services.notifications import Kind, notify

NOTE_MAX = 1000
END_REASONS = {EndReason.GOALS_MET: "Goals met", EndReason.NOT_A_GOOD_FIT: "Not a good fit",
               EndReason.NO_TIME: "No time", EndReason.PROGRAM_ENDED: "The program ended",
               EndReason.OTHER: "Another reason"}
MENTOR_FULL = "{name} has no free mentee seat left."
MENTEE_PAIRED = "{name} already has an active mentor in this program."


def create_pairing(session: Session, mentee: Enrolment, mentor: Enrolment, *,
                   source: PairingSource, score: float | None = None,
                   reasons: Sequence[str] = (), request_id: int | None = None,
                   round_id: int | None = None) -> Pairing:
    """Pair ``mentee`` with ``mentor``, taking one of the mentor's seats; Conflict if either
    side is no longer free (a full mentor, a mentee already paired in the program)."""
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR \
            or mentee.program_id != mentor.program_id:
        raise Conflict("These two cannot be paired in this program.")
    if mentee.user_id == mentor.user_id:
        raise Conflict("Nobody can mentor themself.")
    try:
        with session.begin_nested():
            seat = session.execute(
                update(Enrolment)
                .where(Enrolment.id == mentor.id, Enrolment.seats_taken < Enrolment.capacity)
                .values(seats_taken=Enrolment.seats_taken + 1)
                .execution_options(synchronize_session=False))
            if not seat.rowcount:  # type: ignore[attr-defined]
                raise Conflict(MENTOR_FULL.format(name=mentor.user.name))
            pairing = Pairing(program_id=mentee.program_id, mentee_enrolment_id=mentee.id,
                              mentor_enrolment_id=mentor.id, source=source, score=score,
                              reasons=list(reasons), request_id=request_id, round_id=round_id)
            session.add(pairing)
            session.flush()
    except IntegrityError:
        raise Conflict(MENTEE_PAIRED.format(name=mentee.user.name)) from None
    session.expire(mentor, ["seats_taken"])
    return pairing


def end_pairing(session: Session, pairing: Pairing, by: User, reason: object,
                note: object = "") -> Pairing:
    """End an active pairing (either side, or an admin) and free the mentor's seat."""
    problems: dict[str, str] = {}
    try:
        chosen = EndReason(clean_choice(reason, [r.value for r in EndReason]))
    except ValueError as exc:
        problems["reason"] = str(exc)
    try:
        clean_note = clean_text(note, max_length=NOTE_MAX)
    except ValueError as exc:
        problems["note"] = str(exc)
    if problems:
        raise FieldErrors(problems)
    ended = session.execute(
        update(Pairing).where(Pairing.id == pairing.id, Pairing.status == PairingStatus.ACTIVE)
        .values(status=PairingStatus.ENDED, ended_at=utcnow(), ended_by_id=by.id,
                end_reason=chosen, end_note=clean_note)
        .execution_options(synchronize_session=False))
    if not ended.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This mentorship has already ended.")
    session.execute(update(Enrolment)
                    .where(Enrolment.id == pairing.mentor_enrolment_id, Enrolment.seats_taken > 0)
                    .values(seats_taken=Enrolment.seats_taken - 1)
                    .execution_options(synchronize_session=False))
    session.refresh(pairing)
    session.expire(pairing.mentor, ["seats_taken"])
    if by.id not in (pairing.mentee.user_id, pairing.mentor.user_id):
        audit.record(session, by, Action.PAIRING_ENDED, program_id=pairing.program_id,
                     target=f"pairing:{pairing.id}", reason=chosen.value)
    for side, partner in ((pairing.mentee, pairing.mentor), (pairing.mentor, pairing.mentee)):
        if side.user_id != by.id:
            notify(session, side.user_id, Kind.PAIRING_ENDED, "pairing", pairing.id,
                   partner=by.name if by.id == partner.user_id else "The program team",
                   program=pairing.program.name)
    return pairing


def _with_people() -> tuple[object, ...]:
    """Load a pairing's program and both people in the same query (no per-row lookups)."""
    return (joinedload(Pairing.program),
            joinedload(Pairing.mentee).joinedload(Enrolment.user),
            joinedload(Pairing.mentor).joinedload(Enrolment.user))


def get_pairing_for_participant(session: Session, pairing_id: int, user: User) -> Pairing:
    """The pairing if ``user`` is its mentee or mentor; NotFound for anyone else, admins too."""
    pairing = session.scalar(select(Pairing).where(Pairing.id == pairing_id)
                             .options(*_with_people()))  # type: ignore[arg-type]
    if pairing is None or user.id not in (pairing.mentee.user_id, pairing.mentor.user_id):
        raise NotFound("pairing")
    return pairing


def get_pairing_for_admin(session: Session, pairing_id: int) -> Pairing:
    """Any pairing, for its metadata (who, since, status, source); NotFound if missing."""
    pairing = session.scalar(select(Pairing).where(Pairing.id == pairing_id)
                             .options(*_with_people()))  # type: ignore[arg-type]
    if pairing is None:
        raise NotFound("pairing")
    return pairing


@cache
def _pairings_of_query() -> Select[Pairing]:
    """Built on first use and kept: the dashboard asks on every visit, and a statement
    built once keeps its SQL cache key, so a visit pays neither for building it nor for
    keying the cache."""
    mine = select(Enrolment.id).where(Enrolment.user_id == bindparam("user_id"))
    return (select(Pairing).where(Pairing.mentee_enrolment_id.in_(mine)
                                  | Pairing.mentor_enrolment_id.in_(mine))
            .options(*_with_people())  # type: ignore[arg-type]
            .order_by(Pairing.status, Pairing.started_at.desc(), Pairing.id.desc()))


def pairings_of(session: Session, user: User) -> list[Pairing]:
    """The user's pairings on either side, active first, newest first: one query."""
    return list(session.scalars(_pairings_of_query(), {"user_id": user.id}).unique())


def program_pairings(session: Session, program_id: int) -> list[Pairing]:
    """Every pairing of a program, for its admins (metadata only)."""
    return list(session.scalars(
        select(Pairing).where(Pairing.program_id == program_id)
        .options(*_with_people())  # type: ignore[arg-type]
        .order_by(Pairing.status, Pairing.started_at.desc())).unique())


def ended_pairs(session: Session, program_id: int) -> set[tuple[int, int]]:
    """(mentee enrolment, mentor enrolment) of the program's ended pairings: never again."""
    rows = session.execute(select(Pairing.mentee_enrolment_id, Pairing.mentor_enrolment_id)
                           .where(Pairing.program_id == program_id,
                                  Pairing.status == PairingStatus.ENDED))
    return {(mentee, mentor) for mentee, mentor in rows}


def partner_of(pairing: Pairing, user: User) -> Enrolment:
    """The other side of ``pairing`` as seen by ``user``."""
    return pairing.mentor if pairing.mentee.user_id == user.id else pairing.mentee
