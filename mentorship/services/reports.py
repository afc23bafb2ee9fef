"""A program's figures for its admins: grouped SQL, a fixed number of queries however
many people, pairs and sessions it has. Take a session; never commit.

Privacy floor: a figure that touches feedback is shown only over at least
``PRIVACY_FLOOR`` distinct pairs, bucket by bucket. Periods are whole calendar months,
so no choice of dates can split a bucket, and a total is computed only from the
buckets that are shown: differencing two answers never isolates one pair's rating.
No message, note or feedback text is ever read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, extract, func, select
from sqlalchemy.orm import Session

from mentorship.models import (
    DeclineReason,
    Enrolment,
    Goal,
    GoalStatus,
    MatchRequest,
    Pairing,
    PairingStatus,
    Program,
    RatingMonth,
    RequestStatus,
    Role,
    SessionWeek,
    utcnow,
)
from mentorship.services.errors import FieldErrors
from mentorship.services.feedback import MIN_PAIRS
from mentorship.services.rating_months import add_months
from mentorship.services.session_counts import week_of

PRIVACY_FLOOR = MIN_PAIRS  # the feedback module's floor
TOO_FEW = "Too few pairs to show"
WEEKS = 12
ACTIVE_WINDOW = timedelta(days=30)
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
MONTH_FORMAT = "Give a month as YYYY-MM."
DECLINE_LABELS = {DeclineReason.NO_CAPACITY: "No free seat",
                  DeclineReason.NOT_MY_EXPERTISE: "Not my expertise",
                  DeclineReason.SOMEONE_ELSE_FITS_BETTER: "Someone else fits better",
                  DeclineReason.SCHEDULE: "Schedule", DeclineReason.OTHER: "Another reason"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Period:
    """Whole calendar months: from the first day of ``first`` for ``months`` months."""

    first: date
    months: int

    @property
    def starts(self) -> list[date]:
        return [add_months(self.first, i) for i in range(self.months)]

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.first, self.months)

    @property
    def last(self) -> date:
        return add_months(self.first, self.months - 1)


def _month(value: object, name: str, problems: dict[str, str]) -> date | None:
    if value is None or value == "":
        return None
    found = _MONTH.match(value) if isinstance(value, str) else None
    if not found:
        problems[name] = MONTH_FORMAT
        return None
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        problems[name] = MONTH_FORMAT
        return None
    return date(year, month, 1)


def parse_period(since: object, until: object, today: date) -> Period:
    """The whole months from ``since`` to ``until`` (``YYYY-MM``; a day is snapped to its
    month); by default the last 12 months. FieldErrors for anything else."""
    problems: dict[str, str] = {}
    first, last = _month(since, "since", problems), _month(until, "until", problems)
    if problems:
        raise FieldErrors(problems)
    last = last or today.replace(day=1)
    first = first or add_months(last, 1 - DEFAULT_MONTHS)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months < 1:
        raise FieldErrors({"since": "Must be the same month as the end or earlier."})
    if months > MAX_MONTHS:
        raise FieldErrors({"since": f"Choose at most {MAX_MONTHS} months at a time."})
    return Period(first, months)


def period_or_default(since: object, until: object, today: date
                      ) -> tuple[Period, dict[str, str]]:
    """For the page: the chosen period, or the default one and what was wrong."""
    try:
        return parse_period(since, until, today), {}
    except FieldErrors as exc:
        return parse_period(None, None, today), exc.fields


@dataclass
class Bucket:
    """One month's mean rating from one side, or None below the privacy floor."""

    month: date
    mean: float | None
    ratings: int | None


@dataclass
class Report:
    """Everything the dashboard shows (and the API returns) for one program."""

    period: Period
    participants: dict[str, int]
    matched_mentees: int
    median_days_to_match: float | None
    pairings: dict[str, int]
    weeks: list[tuple[date, int]]
    active_with_session: int
    goals: dict[str, int]
    seats_used: int
    seats_offered: int
    load: list[tuple[int, int]]  # (seats used, mentors)
    requests: dict[str, int]
    declines: list[tuple[str, int]]
    mentee_ratings: list[Bucket] = field(default_factory=list)
    mentor_ratings: list[Bucket] = field(default_factory=list)

    @property
    def matched_share(self) -> float | None:
        mentees = self.participants.get(Role.MENTEE.value, 0)
        return self.matched_mentees / mentees if mentees else None

    @property
    def active_share(self) -> float | None:
        active = self.pairings.get(PairingStatus.ACTIVE.value, 0)
        return self.active_with_session / active if active else None

    @property
    def acceptance_rate(self) -> float | None:
        answered = (self.requests.get(RequestStatus.ACCEPTED.value, 0)
                    + self.requests.get(RequestStatus.DECLINED.value, 0))
        return self.requests.get(RequestStatus.ACCEPTED.value, 0) / answered if answered else None

    @staticmethod
    def overall(buckets: list[Bucket]) -> float | None:
        """The mean over the shown buckets only (hidden ones never enter a total)."""
        shown = [b for b in buckets if b.mean is not None and b.ratings]
        total = sum(b.ratings or 0 for b in shown)
        return round(sum((b.mean or 0) * (b.ratings or 0) for b in shown) / total, 1) \
            if total else None


def _days_between(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return extract("epoch", end - start) / 86400.0


def _pairings_of(program_id: int) -> Select[Any]:
    """The program's pairing ids, for ``IN``: each row is then checked against a small
    in-memory list instead of a lookup in the pairings table."""
    return select(Pairing.id).where(Pairing.program_id == program_id)


def _participants(session: Session, program_id: int) -> dict[str, int]:
    rows = session.execute(select(Enrolment.role, func.count()).where(
        Enrolment.program_id == program_id).group_by(Enrolment.role))
    return {Role.MENTEE.value: 0, Role.MENTOR.value: 0} | {role.value: n for role, n in rows}


def _matching(session: Session, program_id: int) -> tuple[int, float | None]:
    """Mentees ever paired, and the median days from enrolment to their first pairing."""
    first = (select(Pairing.mentee_enrolment_id.label("enrolment_id"),
                    func.min(Pairing.started_at).label("at"))
             .where(Pairing.program_id == program_id)
             .group_by(Pairing.mentee_enrolment_id).subquery())
    days = _days_between(session, Enrolment.created_at, first.c.at)
    ranked = (select(days.label("days"), func.row_number().over(order_by=days).label("rank"),
                     func.count().over().label("n"))
              .join_from(Enrolment, first, Enrolment.id == first.c.enrolment_id).subquery())
    row = session.execute(select(func.max(ranked.c.n), func.avg(ranked.c.days)).where(
        (ranked.c.rank == (ranked.c.n + 1) // 2) | (ranked.c.rank == (ranked.c.n + 2) // 2))
    ).one()
    matched, median = row
    return int(matched or 0), (round(max(float(median), 0.0), 1) if median is not None else None)


def _pairings(session: Session, program_id: int) -> dict[str, int]:
    rows = session.execute(select(Pairing.status, func.count()).where(
        Pairing.program_id == program_id).group_by(Pairing.status))
    return {s.value: 0 for s in PairingStatus} | {status.value: n for status, n in rows}


def _weeks(session: Session, program_id: int, today: date) -> list[tuple[date, int]]:
    """Completed sessions per week (Monday to Sunday), the last ``WEEKS`` weeks, from the
    weeks ``session_counts`` keeps."""
    monday = week_of(today)
    starts = [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    rows = dict(session.execute(
        select(SessionWeek.week, SessionWeek.completed)
        .where(SessionWeek.program_id == program_id, SessionWeek.week >= starts[0],
               SessionWeek.week <= monday)).all())
    return [(start, rows.get(start, 0)) for start in starts]


def _active_with_session(session: Session, program_id: int, now: datetime) -> int:
    """Active pairs whose latest completed session began in the last 30 days."""
    return session.scalar(
        select(func.count()).select_from(Pairing)
        .where(Pairing.program_id == program_id, Pairing.status == PairingStatus.ACTIVE,
               Pairing.last_session_at >= now - ACTIVE_WINDOW,
               Pairing.last_session_at <= now)) or 0


def _goals(session: Session, program_id: int) -> dict[str, int]:
    rows = session.execute(select(Goal.status, func.count())
                           .where(Goal.pairing_id.in_(_pairings_of(program_id)))
                           .group_by(Goal.status))
    return {s.value: 0 for s in GoalStatus} | {status.value: n for status, n in rows}


def _load(session: Session, program_id: int) -> tuple[int, int, list[tuple[int, int]]]:
    rows = session.execute(
        select(Enrolment.seats_taken, func.sum(func.coalesce(Enrolment.capacity, 0)),
               func.count())
        .where(Enrolment.program_id == program_id, Enrolment.role == Role.MENTOR)
        .group_by(Enrolment.seats_taken).order_by(Enrolment.seats_taken)).all()
    used = sum(seats * mentors for seats, _capacity, mentors in rows)
    offered = sum(int(capacity or 0) for _seats, capacity, _mentors in rows)
    counts = {seats: mentors for seats, _capacity, mentors in rows}
    top = max(counts, default=0)
    return used, offered, [(seats, counts.get(seats, 0)) for seats in range(top + 1)]


def _requests(session: Session, program_id: int, period: Period
              ) -> tuple[dict[str, int], list[tuple[str, int]]]:
    rows = session.execute(
        select(MatchRequest.status, MatchRequest.decline_reason, func.count())
        .where(MatchRequest.program_id == program_id,
               MatchRequest.created_at >= datetime.combine(period.first, datetime.min.time()),
               MatchRequest.created_at < datetime.combine(period.end, datetime.min.time()))
        .group_by(MatchRequest.status, MatchRequest.decline_reason)).all()
    statuses = {s.value: 0 for s in RequestStatus}
    reasons = dict.fromkeys(DeclineReason, 0)
    for status, reason, n in rows:
        statuses[status.value] += n
        if status == RequestStatus.DECLINED:
            reasons[reason or DeclineReason.OTHER] += n
    return statuses, [(DECLINE_LABELS[r], n) for r, n in reasons.items()]


def _ratings(session: Session, program_id: int, period: Period
             ) -> tuple[list[Bucket], list[Bucket]]:
    """Per month and side: the mean rating, or nothing below the privacy floor.

    Reads the months kept by ``rating_months`` (two rows a month), not the ratings.
    """
    rows = session.execute(
        select(RatingMonth.month, RatingMonth.author_role, RatingMonth.rating_sum,
               RatingMonth.ratings)
        .where(RatingMonth.program_id == program_id, RatingMonth.month >= period.first,
               RatingMonth.month < period.end, RatingMonth.ratings > 0,
               RatingMonth.pairs >= PRIVACY_FLOOR))
    shown = {(month, role): (total, n) for month, role, total, n in rows}

    def series(role: Role) -> list[Bucket]:
        out = []
        for start in period.starts:
            total, n = shown.get((start, role), (0, 0))
            out.append(Bucket(start, round(total / n, 1), n) if n else Bucket(start, None, None))
        return out
    return series(Role.MENTEE), series(Role.MENTOR)


def program_report(session: Session, program: Program, period: Period,
                   now: datetime | None = None) -> Report:
    """Every figure of the dashboard: ten small queries, whatever the program's size (the
    sessions and ratings are read from the counts kept as they are written)."""
    now = now or utcnow()
    matched, median = _matching(session, program.id)
    used, offered, load = _load(session, program.id)
    statuses, declines = _requests(session, program.id, period)
    mentee_ratings, mentor_ratings = _ratings(session, program.id, period)
    return Report(period=period, participants=_participants(session, program.id),
                  matched_mentees=matched, median_days_to_match=median,
                  pairings=_pairings(session, program.id),
                  weeks=_weeks(session, program.id, now.date()),
                  active_with_session=_active_with_session(session, program.id, now),
                  goals=_goals(session, program.id), seats_used=used, seats_offered=offered,
                  load=load, requests=statuses, declines=declines,
                  mentee_ratings=mentee_ratings, mentor_ratings=mentor_ratings)


def report_json(report: Report) -> dict[str, Any]:
    """The API's answer: the same figures, hidden buckets as null with the reason."""
    def buckets(items: list[Bucket]) -> list[dict[str, Any]]:
        return [{"month": b.month.strftime("%Y-%m"), "mean": b.mean, "ratings": b.ratings,
                 "hidden": b.mean is None} for b in items]
    return {
        "period": {"since": report.period.first.strftime("%Y-%m"),
                   "until": report.period.last.strftime("%Y-%m")},
        "participants": report.participants,
        "matching": {"matched_mentees": report.matched_mentees,
                     "matched_share": report.matched_share,
                     "median_days_to_first_match": report.median_days_to_match},
        "pairings": report.pairings,
        "sessions_per_week": [{"week_of": start.isoformat(), "sessions": n}
                              for start, n in report.weeks],
        "active_pairs_with_session_30_days": {"pairs": report.active_with_session,
                                              "share": report.active_share},
        "goals": report.goals,
        "mentor_load": {"seats_used": report.seats_used, "seats_offered": report.seats_offered,
                        "mentors_by_seats_used": [{"seats_used": s, "mentors": n}
                                                  for s, n in report.load]},
        "requests": {"by_status": report.requests, "acceptance_rate": report.acceptance_rate,
                     "decline_reasons": [{"reason": r, "requests": n}
                                         for r, n in report.declines]},
        "ratings": {"privacy_floor_pairs": PRIVACY_FLOOR, "hidden_reason": TOO_FEW,
                    "mentee": buckets(report.mentee_ratings),
                    "mentor": buckets(report.mentor_ratings),
                    "mentee_overall": Report.overall(report.mentee_ratings),
                    "mentor_overall": Report.overall(report.mentor_ratings)},
    }

