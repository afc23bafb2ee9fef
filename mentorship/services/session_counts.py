"""Completed sessions, counted as they are logged: per program and week (``SessionWeek``)
and, per pair, the start of its latest one (``Pairing.last_session_at``). The dashboard
reads these instead of every session of the last weeks. Take a session; never commit.

A session becomes completed, or stops being completed, only when its log is saved
(``meetings.log``), and that save is one conditional UPDATE on the session's version:
of two saves at once the second is refused, so each change is counted exactly once.
A completed session's start never changes afterwards.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, delete, func, insert, literal, literal_column, select, update
from sqlalchemy.orm import Session

from mentorship.models import Meeting, MeetingStatus, Pairing, SessionWeek
from mentorship.services.bulk import upsert


def week_of(moment: datetime | date) -> date:
    """The Monday of ``moment``'s week (times are UTC)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def status_changed(session: Session, pairing: Pairing, meeting: Meeting,
                   before: MeetingStatus) -> None:
    """Count ``meeting``'s move from ``before`` to its current status, if it changes
    whether it is completed."""
    now_completed = meeting.status == MeetingStatus.COMPLETED
    if now_completed == (before == MeetingStatus.COMPLETED):
        return
    step = 1 if now_completed else -1
    week = week_of(meeting.starts_at)
    session.execute(upsert(session)(SessionWeek)
                    .values(program_id=pairing.program_id, week=week, completed=step)
                    .on_conflict_do_update(
                        index_elements=[SessionWeek.program_id, SessionWeek.week],
                        set_={"completed": SessionWeek.completed + step}))
    if now_completed:
        latest: Any = func.coalesce(Pairing.last_session_at, meeting.starts_at)
        session.execute(update(Pairing).where(Pairing.id == pairing.id).values(
            last_session_at=func.max(latest, meeting.starts_at)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(latest, meeting.starts_at)))
    else:
        session.execute(update(Pairing).where(Pairing.id == pairing.id).values(
            last_session_at=_latest_completed(Pairing.id)))


def _latest_completed(pairing_id: Any) -> Any:
    return (select(func.max(Meeting.starts_at))
            .where(Meeting.pairing_id == pairing_id, Meeting.status == MeetingStatus.COMPLETED)
            .scalar_subquery())


def _week_column(session: Session) -> ColumnElement[Any]:
    """SQL for the Monday of a session's week, as the ``week`` column stores it (the
    arguments are written into the SQL: PostgreSQL matches a grouped expression to the
    selected one only when they are the same text)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'week'"), Meeting.starts_at), Date)
    return func.date(Meeting.starts_at, literal_column("'weekday 0'"),
                     literal_column("'-6 days'"))


def recount(session: Session, program_id: int) -> None:
    """Recount ``program_id``'s weeks and its pairs' latest sessions from the sessions
    (for data written without the services: a migration, a bulk load)."""
    ours = select(Pairing.id).where(Pairing.program_id == program_id)
    session.execute(delete(SessionWeek).where(SessionWeek.program_id == program_id))
    week = _week_column(session)
    grouped = (select(literal(program_id), week, func.count())
               .where(Meeting.pairing_id.in_(ours), Meeting.status == MeetingStatus.COMPLETED)
               .group_by(week))
    session.execute(insert(SessionWeek).from_select(["program_id", "week", "completed"],
                                                    grouped))
    session.execute(update(Pairing).where(Pairing.program_id == program_id)
                    .values(last_session_at=_latest_completed(Pairing.id)))
