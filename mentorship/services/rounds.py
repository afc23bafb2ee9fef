"""An admin's matching rounds: settings, the pool, runs, pins and exclusions.

Take a session; the caller commits, except in ``run_round``. A run spans three
transactions on purpose: the round is recorded as running and committed first (the
partial unique index makes a second run of the program a Conflict), the engine then
works holding no database lock, and the draft is written in a last transaction. A
round that crashed is marked failed; one stuck running past ``RUN_TIMEOUT`` (its
process died) is marked failed by the next run of the program, so nothing blocks a
program for ever.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
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
    RoundExclusion,
    RoundProposal,
    RoundStatus,
    User,
    utcnow,
)
from mentorship.services import matches, round_report
from mentorship.services.errors import Conflict, NotFound
from mentorship.services.fields import clean_number, collect
from mentorship.services.pairings import ended_pairs
from mentorship.services.specs import Field, Spec

log = logging.getLogger(__name__)

RUN_TIMEOUT = timedelta(minutes=15)
STALE_ERROR = "Stopped: it ran longer than 15 minutes without finishing."
ALREADY_RUNNING = "A round of this program is running. Wait for it to finish, then try again."
PHASES = ("load", "fit", "score", "assign", "reasons", "save")
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


def _free_mentee() -> Any:
    active = exists().where(Pairing.mentee_enrolment_id == Enrolment.id,
                            Pairing.status == PairingStatus.ACTIVE)
    return (Enrolment.role == Role.MENTEE) & ~active


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
        Enrolment.program_id == program.id, _free_mentee())) or 0
    mentors, seats = session.execute(
        select(func.count(), func.coalesce(func.sum(Enrolment.capacity - Enrolment.seats_taken), 0))
        .where(Enrolment.program_id == program.id, _mentor_with_seat())).one()
    return Pool(mentees, mentors, int(seats or 0), some(_free_mentee()), some(_mentor_with_seat()))


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


def run_round(session: Session, round_id: int, cache: matches.MatcherCache,
              progress: Callable[[str], None] = lambda phase: None) -> MatchRound:
    """Run the engine for a running round and write its draft; commits (see the module).

    Any failure marks the round failed with its error instead of propagating: the
    admin reads it on the round's page.
    """
    seconds: dict[str, float] = {}
    clock = [("", time.perf_counter())]

    def phase(name: str) -> None:  # the time each phase took goes into the report
        now = time.perf_counter()
        seconds[clock[-1][0]] = round(now - clock[-1][1], 3)
        clock.append((name, now))
        progress(name)
    try:
        round_ = get_round(session, round_id)
        phase("load")
        pool = _load_pool(session, round_)
        session.commit()  # end the read: the engine runs holding no database lock
        phase("fit")
        fit = matches.fitted(session, round_.program, cache)
        session.commit()
        draft = _solve(round_, pool, fit, phase)
        phase("save")
        draft.report["seconds"] = seconds | {"save": round(time.perf_counter() - clock[-1][1], 3)}
        draft.report["seconds"].pop("", None)
        _write_draft(session, round_, pool, draft)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the round
        session.rollback()
        log.exception("matching round %s failed", round_id)
        message = ("The database refused the draft; the server log has the details."
                   if isinstance(exc, DBAPIError) else f"The run stopped: {exc}")
        session.execute(update(MatchRound).where(
            MatchRound.id == round_id, MatchRound.status == RoundStatus.RUNNING)
            .values(status=RoundStatus.FAILED, error=message[:1000], finished_at=utcnow()))
        session.commit()
    return get_round(session, round_id)


@dataclass
class _Pool:
    mentees: list[Enrolment]
    exclude: dict[int, set[int]]
    pins: dict[int, int]
    reasons: dict[int, list[str]]  # of the pins, as stored


def _load_pool(session: Session, round_: MatchRound) -> _Pool:
    """The free mentees and every mentee's forbidden mentors (ended pairings, the round's
    exclusions, themself), and the round's pins."""
    mentees = list(session.scalars(
        select(Enrolment).where(Enrolment.program_id == round_.program_id, _free_mentee())
        .options(joinedload(Enrolment.user).joinedload(User.profile))
        .order_by(Enrolment.id)).unique())
    exclude: dict[int, set[int]] = {}
    banned = ended_pairs(session, round_.program_id) | set(session.execute(
        select(RoundExclusion.mentee_enrolment_id, RoundExclusion.mentor_enrolment_id)
        .where(RoundExclusion.round_id == round_.id)).all())
    mentor_of_user = dict(session.execute(
        select(Enrolment.user_id, Enrolment.id).where(
            Enrolment.program_id == round_.program_id, Enrolment.role == Role.MENTOR)).all())
    for mentee in mentees:
        if mentee.user_id in mentor_of_user:
            banned.add((mentee.id, mentor_of_user[mentee.user_id]))
    for mentee_id, mentor_id in banned:
        exclude.setdefault(mentee_id, set()).add(mentor_id)
    pins = session.execute(
        select(RoundProposal.mentee_enrolment_id, RoundProposal.mentor_enrolment_id,
               RoundProposal.reasons)
        .where(RoundProposal.round_id == round_.id, RoundProposal.pinned.is_(True))).all()
    return _Pool(mentees, exclude, {a: b for a, b, _ in pins}, {a: r for a, _, r in pins})


@dataclass
class _Draft:
    solved: matches.SolvedRound
    reasons: dict[int, list[str]]
    report: dict[str, Any]


def _solve(round_: MatchRound, pool: _Pool, fit: matches.Fitted | None,
           progress: Callable[[str], None]) -> _Draft:
    settings = round_.settings
    if fit is None:
        raise ValueError("the program has no mentors")
    seats = {m.id: matches.free_seats(m) for m in fit.mentors}
    labels = [round_report.group_label(e, settings["group_by"]) for e in pool.mentees]
    solved = matches.solve_round(fit, pool.mentees, pool.exclude, seats, pool.pins, labels,
                                 objective=settings["objective"],
                                 min_score=settings["min_score"], equity=settings["equity"],
                                 progress=progress)
    progress("reasons")
    by_id = {e.id: e for e in pool.mentees}
    reasons = matches.explain_pairs(fit, by_id, pool.exclude, [(a, b) for a, b, _ in solved.pairs])
    pairs = solved.pairs + solved.pinned
    report = round_report.build_report(
        solved.figures, scores=[score for _, _, score in pairs], seats=seats,
        used=Counter(mentor for _, mentor, _ in pairs), unmatched=solved.best,
        settings=settings, pinned=len(solved.pinned), dropped=solved.dropped,
        excluded=sum(len(v) for v in pool.exclude.values()), certified=solved.certified)
    return _Draft(solved, reasons, report)


def _write_draft(session: Session, round_: MatchRound, pool: _Pool, draft: _Draft) -> None:
    """Replace the round's unpinned proposals in one bulk insert and mark it a draft,
    unless it stopped running meanwhile (the timeout failed it)."""
    session.execute(delete(RoundProposal).where(
        RoundProposal.round_id == round_.id,
        RoundProposal.pinned.is_(False) | RoundProposal.mentee_enrolment_id.in_(
            [mentee for mentee, _ in draft.solved.dropped] or [0])))
    if draft.solved.pinned:  # a pin's score follows the profiles as they are now
        session.execute(
            update(cast(Table, RoundProposal.__table__)).where(
                RoundProposal.round_id == round_.id,
                RoundProposal.mentee_enrolment_id == bindparam("pin_mentee"))
            .values(score=bindparam("pin_score")),
            [{"pin_mentee": mentee, "pin_score": score} for mentee, _, score in draft.solved.pinned])
    rows = [{"round_id": round_.id, "mentee_enrolment_id": mentee, "mentor_enrolment_id": mentor,
             "score": score, "reasons": draft.reasons.get(mentee, []), "pinned": False}
            for mentee, mentor, score in draft.solved.pairs]
    if rows:
        session.execute(insert(RoundProposal), rows)
    done = session.execute(update(MatchRound).where(
        MatchRound.id == round_.id, MatchRound.status == RoundStatus.RUNNING)
        .values(status=RoundStatus.DRAFT, report=draft.report, finished_at=utcnow(), error="")
        .execution_options(synchronize_session=False))
    if not done.rowcount:  # type: ignore[attr-defined]
        raise RuntimeError("the round stopped running before its draft was saved")


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

