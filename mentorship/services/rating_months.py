"""Each program's ratings per calendar month and side, kept as feedback is written.

The dashboard's ratings trend reads these few rows instead of grouping every rating of
the period (hundreds of thousands in a big program). Each row holds the count, the sum
and the number of distinct pairs behind them, so the privacy floor is judged on pairs.
Take a session; never commit.

Counting a new rating is two statements in the rating's own transaction: an upsert of
the month's sums, which locks that row, then "did this pair already rate this month from
this side?". Because the question is asked only once the row is locked, two ratings of
one pair racing on PostgreSQL (read committed) cannot both see themselves as the first:
the second waits for the first to commit and then sees it. SQLite writes one at a time.
Erasing ratings (an account deleted) recounts the months they were in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from mentorship.models import Feedback, Pairing, RatingMonth
from mentorship.services.bulk import upsert


def month_of(moment: datetime) -> date:
    """The first day of ``moment``'s month (times are UTC)."""
    return date(moment.year, moment.month, 1)


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after ``first``'s (before, if negative)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _starts(first: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, datetime.min.time()),
            datetime.combine(add_months(first, 1), datetime.min.time()))


def count(session: Session, given: Feedback, program_id: int) -> None:
    """Add the flushed rating ``given`` to its program's month."""
    month = month_of(given.created_at)
    key = (RatingMonth.program_id == program_id, RatingMonth.month == month,
           RatingMonth.author_role == given.author_role)
    statement = upsert(session)(RatingMonth).values(program_id=program_id, month=month,
                                           author_role=given.author_role, ratings=1,
                                           rating_sum=given.rating, pairs=0)
    session.execute(statement.on_conflict_do_update(
        index_elements=[RatingMonth.program_id, RatingMonth.month, RatingMonth.author_role],
        set_={"ratings": RatingMonth.ratings + 1,
              "rating_sum": RatingMonth.rating_sum + given.rating}))
    start, end = _starts(month)
    earlier = exists().where(Feedback.pairing_id == given.pairing_id,
                             Feedback.author_role == given.author_role,
                             Feedback.created_at >= start, Feedback.created_at < end,
                             Feedback.id != given.id)
    if not session.scalar(select(earlier)):
        session.execute(update(RatingMonth).where(*key).values(pairs=RatingMonth.pairs + 1))


def _month_column(session: Session) -> ColumnElement[Any]:
    """SQL for the first day of a rating's month, as the ``month`` column stores it.

    The unit is written into the SQL, not bound: PostgreSQL matches the grouped
    expression to the selected one only when they are the same text."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), Feedback.created_at), Date)
    return func.date(Feedback.created_at, literal_column("'start of month'"))


def recount(session: Session, program_id: int, months: Iterable[date] | None = None) -> None:
    """Recount ``program_id``'s ``months`` (all of them by default) from the ratings."""
    chosen = sorted(set(months)) if months is not None else None
    if chosen == []:
        return
    scope: list[ColumnElement[bool]] = [RatingMonth.program_id == program_id]
    ours = select(Pairing.id).where(Pairing.program_id == program_id)
    ratings: list[ColumnElement[bool]] = [Feedback.pairing_id.in_(ours)]
    if chosen is not None:
        scope.append(RatingMonth.month.in_(chosen))
        ratings.append(or_(*(and_(Feedback.created_at >= start, Feedback.created_at < end)
                             for start, end in map(_starts, chosen))))
    session.execute(delete(RatingMonth).where(*scope))
    month = _month_column(session)
    grouped = (select(literal(program_id), month, Feedback.author_role, func.count(),
                      func.sum(Feedback.rating), func.count(distinct(Feedback.pairing_id)))
               .where(*ratings).group_by(month, Feedback.author_role))
    session.execute(insert(RatingMonth).from_select(
        ["program_id", "month", "author_role", "ratings", "rating_sum", "pairs"], grouped))


def erase(session: Session, author_id: int) -> None:
    """Delete every rating ``author_id`` wrote and recount the months they were in."""
    touched: dict[int, set[date]] = {}
    for program_id, created_at in session.execute(
            select(Pairing.program_id, Feedback.created_at)
            .join(Pairing, Pairing.id == Feedback.pairing_id)
            .where(Feedback.author_id == author_id)):
        touched.setdefault(program_id, set()).add(month_of(created_at))
    session.execute(delete(Feedback).where(Feedback.author_id == author_id))
    for program_id, months in touched.items():
        recount(session, program_id, months)
