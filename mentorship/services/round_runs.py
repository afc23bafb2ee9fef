"""A matching round's run: the engine's draft written for a round marked running.

The one service that commits, because a run spans transactions on purpose: the pool is
read and that transaction ended, the engine then works holding no database lock (a
big round takes seconds, and SQLite would block every other writer meanwhile), and the
draft is written in a last transaction. Any failure marks the round failed with its
error, so the admin reads what happened on the round's page.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mentorship.models import (
    Enrolment,
    MatchRound,
    Profile,
    Role,
    RoundExclusion,
    RoundProposal,
    RoundStatus,
    utcnow,
)
from mentorship.services import matches, round_report, round_solve
from mentorship.services.pairings import ended_pairs
from mentorship.services.rounds import free_mentee, get_round

log = logging.getLogger(__name__)

PHASES = ("load", "fit", "score", "assign", "reasons", "save")


def run_round(session: Session, round_id: int, cache: matches.MatcherCache,
              progress: Callable[[str], None] = lambda phase: None) -> MatchRound:
    """Run the engine for a running round and write its draft; commits (see the module).

    Any failure marks the round failed with its error instead of propagating: the
    admin reads it on the round's page.
    """
    with _collector_paused():
        return _run(session, round_id, cache, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a run, restoring it after.

    A run allocates hundreds of thousands of objects it keeps (rows, records, reasons)
    and makes few reference cycles: the collector's passes over them took about a
    fifth of a 10,000-mentee round. Reference counting still frees everything else,
    and any cycles are collected once it is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _run(session: Session, round_id: int, cache: matches.MatcherCache,
         progress: Callable[[str], None]) -> MatchRound:
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
        # Up to the draft's own write, which cannot time itself into the report.
        draft.report["seconds"] = {name: s for name, s in seconds.items() if name}
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
    mentees: list[Any]  # rows of matches.MENTEE_COLUMNS, then the enrolment's user id
    exclude: dict[int, set[int]]
    pins: dict[int, int]
    reasons: dict[int, list[str]]  # of the pins, as stored


def _load_pool(session: Session, round_: MatchRound) -> _Pool:
    """The free mentees and every mentee's forbidden mentors (ended pairings, the round's
    exclusions, themself), and the round's pins.

    Mentees are read as plain rows of the columns their records need: building ORM
    objects for thousands of enrolments, users and profiles was most of the read.
    """
    mentees = list(session.execute(
        select(*matches.MENTEE_COLUMNS, Enrolment.user_id)
        .join(Profile, Profile.user_id == Enrolment.user_id)
        .where(Enrolment.program_id == round_.program_id, free_mentee())
        .order_by(Enrolment.id)))
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
    solved: round_solve.SolvedRound
    reasons: dict[int, list[str]]
    report: dict[str, Any]


def _solve(round_: MatchRound, pool: _Pool, fit: matches.Fitted | None,
           progress: Callable[[str], None]) -> _Draft:
    settings = round_.settings
    if fit is None:
        raise ValueError("the program has no mentors")
    seats = {m.id: matches.free_seats(m) for m in fit.mentors}
    labels = [round_report.group_label(row, settings["group_by"]) for row in pool.mentees]
    width = len(matches.MENTEE_COLUMNS)
    records = [matches.mentee_row_record(row[:width], pool.exclude.get(row.id, ()))
               for row in pool.mentees]
    solved = round_solve.solve_round(fit, records, seats, pool.pins, labels,
                                 objective=settings["objective"],
                                 min_score=settings["min_score"], equity=settings["equity"],
                                 progress=progress)
    progress("reasons")  # given by the engine's round, from the text it analysed
    pairs = solved.pairs + solved.pinned
    report = round_report.build_report(
        solved.figures, scores=[score for _, _, score in pairs], seats=seats,
        used=Counter(mentor for _, mentor, _ in pairs), unmatched=solved.best,
        settings=settings, pinned=len(solved.pinned), dropped=solved.dropped,
        excluded=sum(len(v) for v in pool.exclude.values()), certified=solved.certified)
    return _Draft(solved, solved.reasons, report)


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
