"""At-risk pairs of a program, and what an admin can do about one: nudge it, or end it so
the mentee can be matched again. Take a session; never commit.

One query finds every flagged pair, whatever the program's size: per active pairing it
reads its latest session (kept on the pairing) and looks up by index its latest message,
session log, agreement, fit answers and two newest ratings. What reaches the admin is
the reason and the dates, never a rating, an answer's side, or any text the pair wrote.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from mentorship.models import (
    Agreement,
    Enrolment,
    Feedback,
    FitAnswer,
    FitCheck,
    Meeting,
    Message,
    Pairing,
    PairingStatus,
    Program,
    User,
    utcnow,
)
from mentorship.services import audit, pairings
from mentorship.services.audit import Action
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.notifications import Kind, notify

AGREEMENT_GRACE = timedelta(days=7)
LOW_RATING = 2
LIST_LIMIT = 200


class Reason(enum.StrEnum):
    QUIET = "quiet"
    CHECK_IN = "check_in"
    AGREEMENT = "agreement"
    FIT = "fit"
    RATINGS = "ratings"


LABELS = {Reason.QUIET: "No session or message for {days} days",
          Reason.CHECK_IN: "Check-in overdue",
          Reason.AGREEMENT: "Agreement not accepted by both after 7 days",
          Reason.FIT: "A fit concern was raised",
          Reason.RATINGS: "Recent session ratings are low"}
# The suggested next step a nudge carries, by reason (the first reason's is the default).
NEXT_STEPS = {Reason.QUIET: "book your next session this week.",
              Reason.CHECK_IN: "hold the check-in you planned, or set a new date.",
              Reason.AGREEMENT: "agree how you will work together and both accept the agreement.",
              Reason.FIT: "talk openly about whether this pairing works; we can help you "
                          "find a new match.",
              Reason.RATINGS: "take a few minutes to discuss what would make your sessions "
                              "more useful."}


@dataclass
class AtRiskPair:
    """One flagged pairing: who, since when, why, and the dates behind the reasons."""

    pairing_id: int
    mentee: str
    mentor: str
    started_at: datetime
    last_activity: datetime
    check_in_due: date | None
    reasons: list[Reason]
    quiet_days: int

    @property
    def labels(self) -> list[str]:
        return [LABELS[r].format(days=self.quiet_days) for r in self.reasons]

    @property
    def next_step(self) -> Reason:
        return self.reasons[0]


def _flags(program: Program, now: datetime) -> Select[Any]:
    """Per active pairing of ``program``: the dates and flags, each by an indexed lookup."""
    p = Pairing
    last_session = p.last_session_at  # kept as sessions are logged (session_counts)
    last_message = (select(Message.created_at).where(Message.pairing_id == p.id)
                    .order_by(Message.id.desc()).limit(1).scalar_subquery())
    check_in = (select(Meeting.next_check_in)
                .where(Meeting.pairing_id == p.id, Meeting.logged_at.is_not(None))
                .order_by(Meeting.logged_at.desc(), Meeting.id.desc()).limit(1)
                .scalar_subquery())
    agreed = exists().where(Agreement.pairing_id == p.id,
                            Agreement.mentee_accepted_at.is_not(None),
                            Agreement.mentor_accepted_at.is_not(None))
    fit = exists().where(FitCheck.pairing_id == p.id, FitCheck.answer == FitAnswer.NO)
    newest = (select(Feedback.rating.label("rating")).where(Feedback.pairing_id == p.id)
              .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(2).correlate(p)
              .subquery())
    # The higher of the two newest ratings, only when there are two: one lookup.
    low_pair = (select(func.max(newest.c.rating)).having(func.count() == 2)
                .scalar_subquery())
    return (select(p.id.label("id"), p.started_at.label("started_at"),
                   last_session.label("last_session"), last_message.label("last_message"),
                   check_in.label("check_in"), agreed.label("agreed"), fit.label("fit"),
                   low_pair.label("newest_two_max"))
            .where(p.program_id == program.id, p.status == PairingStatus.ACTIVE))


def _no_jit(session: Session) -> None:
    """PostgreSQL would compile this query to machine code because of its many (cheap)
    index lookups, which costs far more than running it: not for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def _flagged(session: Session, program: Program, now: datetime) -> Any:
    """The flags worked out once per pairing (materialized, so no lookup runs twice), the
    reason columns, and the condition that any reason holds."""
    flags = _flags(program, now).cte("flags").prefix_with("MATERIALIZED")
    started = flags.c.started_at
    session_at = func.coalesce(flags.c.last_session, started)
    message_at = func.coalesce(flags.c.last_message, started)
    latest = (func.max if session.get_bind().dialect.name == "sqlite" else func.greatest)
    quiet_since = now - timedelta(days=program.at_risk_after_days)
    quiet = and_(started < quiet_since, session_at < quiet_since, message_at < quiet_since)
    overdue = flags.c.check_in < now.date()
    unagreed = and_(flags.c.agreed.is_(False), started < now - AGREEMENT_GRACE)
    low = flags.c.newest_two_max <= LOW_RATING
    columns = (quiet.label("quiet"), func.coalesce(overdue, False).label("overdue"),
               unagreed.label("unagreed"), flags.c.fit.is_(True).label("fit_concern"),
               func.coalesce(low, False).label("low"),
               latest(started, session_at, message_at).label("last_activity"))
    return flags, columns, or_(quiet, overdue, unagreed, flags.c.fit.is_(True), low)


def at_risk(session: Session, program: Program, *, now: datetime | None = None,
            limit: int = LIST_LIMIT) -> tuple[list[AtRiskPair], int]:
    """The program's flagged pairs (quietest first, at most ``limit``) and how many in all:
    one query, whatever the number of pairs."""
    now = now or utcnow()
    _no_jit(session)
    flags, columns, condition = _flagged(session, program, now)
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    rows = session.execute(
        select(flags.c.id, flags.c.started_at, flags.c.check_in, *columns,
               mentee_user.name.label("mentee"), mentor_user.name.label("mentor"),
               func.count().over().label("total"))
        .join(Pairing, Pairing.id == flags.c.id)
        .join(mentee, mentee.id == Pairing.mentee_enrolment_id)
        .join(mentee_user, mentee_user.id == mentee.user_id)
        .join(mentor, mentor.id == Pairing.mentor_enrolment_id)
        .join(mentor_user, mentor_user.id == mentor.user_id)
        .where(condition).order_by(columns[-1], flags.c.id).limit(limit)).all()
    found = []
    for row in rows:
        reasons = [reason for reason, on in ((Reason.FIT, row.fit_concern),
                                             (Reason.RATINGS, row.low),
                                             (Reason.CHECK_IN, row.overdue),
                                             (Reason.QUIET, row.quiet),
                                             (Reason.AGREEMENT, row.unagreed)) if on]
        found.append(AtRiskPair(
            pairing_id=row.id, mentee=row.mentee, mentor=row.mentor, started_at=row.started_at,
            last_activity=row.last_activity, check_in_due=row.check_in, reasons=reasons,
            quiet_days=program.at_risk_after_days))
    return found, rows[0].total if rows else 0


def at_risk_count(session: Session, program: Program, *, now: datetime | None = None) -> int:
    """How many of the program's active pairs are flagged: one query."""
    _no_jit(session)
    flags, _columns, condition = _flagged(session, program, now or utcnow())
    return session.scalar(select(func.count()).select_from(flags).where(condition)) or 0


def get_program_pairing(session: Session, program: Program, pairing_id: int) -> Pairing:
    """A pairing of ``program`` for its admins (metadata only); NotFound otherwise."""
    pairing = pairings.get_pairing_for_admin(session, pairing_id)
    if pairing.program_id != program.id:
        raise NotFound("pairing")
    return pairing


def nudge(session: Session, admin: User, pairing: Pairing, step: object) -> Reason:
    """Notify both sides with a suggested next step, and record it in the audit log."""
    if pairing.status != PairingStatus.ACTIVE:
        raise Conflict("This mentorship has ended: there is nobody to nudge.")
    try:
        chosen = Reason(step)  # type: ignore[arg-type]
    except ValueError:
        raise FieldErrors({"step": "Choose one of the suggested next steps."}) from None
    for side, partner in ((pairing.mentee, pairing.mentor), (pairing.mentor, pairing.mentee)):
        notify(session, side.user_id, Kind.PAIR_NUDGED, "pairing", pairing.id,
               program=pairing.program.name, partner=partner.user.name,
               reason=NEXT_STEPS[chosen][0].upper() + NEXT_STEPS[chosen][1:])
    audit.record(session, admin, Action.PAIR_NUDGED, program_id=pairing.program_id,
                 target=f"pairing:{pairing.id}", step=chosen.value)
    return chosen


def end(session: Session, admin: User, pairing: Pairing, reason: object, note: object = ""
        ) -> Pairing:
    """End the pairing for the program team (frees the mentor's seat, lets the mentee be
    matched again); ``end_pairing`` records it in the audit log as the team's action."""
    return pairings.end_pairing(session, pairing, admin, reason, note)


def pair_json(pair: AtRiskPair) -> dict[str, Any]:
    """One flagged pair for the API: names, dates and reasons, nothing the pair wrote."""
    return {"pairing_id": pair.pairing_id, "mentee": pair.mentee, "mentor": pair.mentor,
            "started_at": pair.started_at.isoformat() + "Z",
            "last_activity_at": pair.last_activity.isoformat() + "Z",
            "check_in_due": pair.check_in_due.isoformat() if pair.check_in_due else None,
            "reasons": [r.value for r in pair.reasons], "labels": pair.labels,
            "suggested_step": pair.next_step.value}
