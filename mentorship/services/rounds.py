"""An admin's matching rounds: settings, the pool, and each round's status. Take a
session; never commit.

A round is ``running`` while the engine works on it (``round_runs.run_round``), then a
``draft`` to adjust and publish or discard, or ``failed``. A partial unique index allows
one running round per program, so a second start is a Conflict; a round stuck running
past ``RUN_TIMEOUT`` (its process died) is marked failed by the next start of the
program, in the same transaction, so nothing blocks a program for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from mentorship.models import (
    Availability,
    Enrolment,
    MatchRound,
    Pairing,
    PairingStatus,
    Program,
    ProgramStatus,
    Role,
    RoundStatus,
    User,
    utcnow,
)
from mentorship.services import round_report
from mentorship.services.errors import Conflict, NotFound
from mentorship.services.fields import clean_number, collect
from mentorship.services.specs import Field, Spec

log = logging.getLogger(__name__)

RUN_TIMEOUT = timedelta(minutes=15)
STALE_ERROR = "Stopped: it ran longer than 15 minutes without finishing."
ALREADY_RUNNING = "A round of this program is running. Wait for it to finish, then try again."
EDITABLE = (RoundStatus.DRAFT, RoundStatus.FAILED)
SETTINGS = Spec((
    Field("objective", "Objective", kind="choice", default="score",
          choices=(("score", "Best total score"), ("coverage", "Most people matched")),
          help="Most people matched first pairs as many mentees as it can, then the best."),
    Field("min_score", "Minimum score", max_length=20,
          help="0 to 1. Pairs scoring below it are never made. Leave empty for none."),
    Field("equity", "Equity", default="0", max_length=20,
          help="0 to 1. Higher gives mentees whose options are all weak a fairer chance."),
    Field("group_by", "Fairness report by", kind="choice", default="language",
          choices=round_report.GROUPINGS),
))


def _unit(value: object) -> float:
    return clean_number(value, low=0, high=1)


def _optional_unit(value: object) -> float | None:
    return None if value is None or (isinstance(value, str) and not value.strip()) \
        else _unit(value)


def clean_settings(data: Mapping[str, object]) -> dict[str, Any]:
    """The round's settings from raw input; every problem at once, as FieldErrors."""
    rules = {"objective": SETTINGS["objective"].clean, "group_by": SETTINGS["group_by"].clean,
             "min_score": _optional_unit, "equity": _unit}
    values = {"objective": "score", "min_score": None, "equity": 0.0, "group_by": "language"}
    given = {key: value for key, value in data.items() if key in rules}
    if given.get("equity") in (None, ""):
        given.pop("equity", None)
    return values | collect(given, rules)


def get_round(session: Session, round_id: int) -> MatchRound:
    """A round with its program; NotFound if missing (admins only reach this)."""
    found = session.scalar(select(MatchRound).where(MatchRound.id == round_id)
                           .options(joinedload(MatchRound.program))
                           .execution_options(populate_existing=True))  # runs update by SQL
    if found is None:
        raise NotFound("round")
    return found


def program_rounds(session: Session, program: Program, limit: int = 20) -> list[MatchRound]:
    return list(session.scalars(select(MatchRound).where(MatchRound.program_id == program.id)
                                .order_by(MatchRound.id.desc()).limit(limit)))


def check_can_match(program: Program) -> None:
    if program.status not in (ProgramStatus.OPEN, ProgramStatus.RUNNING):
        raise Conflict("Matching rounds run only for open or running programs.")


def free_mentee() -> Any:
    active = exists().where(Pairing.mentee_enrolment_id == Enrolment.id,
                            Pairing.status == PairingStatus.ACTIVE)
    gone = exists().where(User.id == Enrolment.user_id, User.deleted_at.is_not(None))
    return (Enrolment.role == Role.MENTEE) & ~active & ~gone


def _mentor_with_seat() -> Any:
    return ((Enrolment.role == Role.MENTOR) & (Enrolment.availability == Availability.OPEN)
            & (Enrolment.seats_taken < Enrolment.capacity))


@dataclass
class Pool:
    """Who a round would match now: counts, and the first few of each side by name."""

    mentees: int
    mentors: int
    seats: int
    some_mentees: list[Enrolment]
    some_mentors: list[Enrolment]


def pool_summary(session: Session, program: Program, shown: int = 50) -> Pool:
    """The pool in a fixed number of queries, however large the program."""
    def some(condition: Any) -> list[Enrolment]:
        return list(session.scalars(
            select(Enrolment).where(Enrolment.program_id == program.id, condition)
            .options(joinedload(Enrolment.user)).order_by(Enrolment.id).limit(shown)))
    mentees = session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.program_id == program.id, free_mentee())) or 0
    mentors, seats = session.execute(
        select(func.count(), func.coalesce(func.sum(Enrolment.capacity - Enrolment.seats_taken), 0))
        .where(Enrolment.program_id == program.id, _mentor_with_seat())).one()
    return Pool(mentees, mentors, int(seats or 0), some(free_mentee()), some(_mentor_with_seat()))


def _fail_stale_runs(session: Session, program_id: int) -> None:
    """A run older than the timeout died with its process: mark it failed, atomically."""
    session.execute(update(MatchRound).where(
        MatchRound.program_id == program_id, MatchRound.status == RoundStatus.RUNNING,
        MatchRound.started_at < utcnow() - RUN_TIMEOUT)
        .values(status=RoundStatus.FAILED, error=STALE_ERROR, finished_at=utcnow())
        .execution_options(synchronize_session=False))


def start_round(session: Session, program: Program, data: Mapping[str, object],
                user: User | None) -> MatchRound:
    """Record a running round of ``program``; Conflict while another one runs."""
    check_can_match(program)
    settings = clean_settings(data)
    _fail_stale_runs(session, program.id)
    round_ = MatchRound(program_id=program.id, settings=settings, report={},
                        created_by_id=user.id if user else None, status=RoundStatus.RUNNING)
    try:
        with session.begin_nested():
            session.add(round_)
            session.flush()
    except IntegrityError:
        raise Conflict(ALREADY_RUNNING) from None
    return round_


def restart_round(session: Session, round_: MatchRound) -> MatchRound:
    """Set a draft (or failed) round running again; its pins and exclusions stay."""
    check_can_match(round_.program)
    _fail_stale_runs(session, round_.program_id)
    try:
        with session.begin_nested():
            changed = session.execute(
                update(MatchRound).where(MatchRound.id == round_.id,
                                         MatchRound.status.in_(EDITABLE))
                .values(status=RoundStatus.RUNNING, started_at=utcnow(), error="",
                        finished_at=None).execution_options(synchronize_session=False))
    except IntegrityError:
        raise Conflict(ALREADY_RUNNING) from None
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise Conflict("Only a draft or a failed round can be re-run.")
    session.refresh(round_)
    return round_


def claim(session: Session, round_: MatchRound, statuses: Iterable[RoundStatus],
          message: str, **values: Any) -> None:
    """Lock the round's row if it is in one of ``statuses`` (changing ``values``), else
    Conflict. Every change to a round starts here, so edits, re-runs and publishing
    queue on the row instead of interleaving."""
    changed = session.execute(
        update(MatchRound).where(MatchRound.id == round_.id, MatchRound.status.in_(statuses))
        .values(status=values.pop("status", MatchRound.status), **values)
        .execution_options(synchronize_session=False))
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise Conflict(message)
    session.refresh(round_)


def discard(session: Session, round_: MatchRound) -> None:
    claim(session, round_, EDITABLE, "Only a draft or a failed round can be discarded.",
          status=RoundStatus.DISCARDED, finished_at=utcnow())

