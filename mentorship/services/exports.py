"""A program's data as CSV files for its admins. Take a session; never commit.

Four files, and never a pair's private text (messages, notes, agendas, feedback text):

- participants: the columns the import reads (an export can be edited and imported back);
- pairings: who with whom, status, source, start and end, end reason;
- sessions: pairing, start (UTC), length, status;
- feedback: per month and side, the number of ratings and their mean, only where at
  least MIN_PAIRS pairs gave them, so no single pair's rating can be read off.

Rows are read in batches (``yield_per``) and written as they come, so an export of
half a million sessions never holds them all. Every cell is neutralised against
spreadsheet formulas (``csv_files.neutralise``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from mentorship.models import (
    Enrolment,
    Meeting,
    Pairing,
    Profile,
    Program,
    RatingMonth,
    User,
)
from mentorship.services import audit, csv_files
from mentorship.services.feedback import MIN_PAIRS
from mentorship.services.specs import MENTEE, MENTOR, PROFILE

KINDS = ("participants", "pairings", "sessions", "feedback")
BATCH = 2000
BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it
PARTICIPANT_FIELDS = (*PROFILE.fields, *MENTEE.fields, *MENTOR.fields)


def record_action(session: Session, actor: User | None, action: str, program: Program,
                  target: str, **details: Any) -> None:
    """The audit entry of an import or export (``actor`` None: from the command line)."""
    audit.record(session, actor, action, program_id=program.id, target=target, **details)


def export_csv(session: Session, program: Program, kind: str) -> Iterator[str]:
    """The CSV text of one export, line by line, starting with a byte-order mark."""
    yield BOM
    yield from csv_files.write_rows(ROWS[kind](session, program))


def export_stream(session: Session, program: Program, kind: str) -> Iterator[str]:
    """``export_csv`` for a streamed response, closing ``session`` once the last line is out.

    A response streams after its request's teardown has closed the request's session;
    reading on with the same session opens a connection again, which nothing else would
    return to the pool. Closing here (also when the client goes away mid-way: the server
    closes the iterator) returns it.
    """
    try:
        yield from export_csv(session, program, kind)
    finally:
        session.close()


def filename(program: Program, kind: str) -> str:
    """The download's file name: program id, kind and nothing a header could trip on."""
    return f"program-{program.id}-{kind}.csv"


def _batches(session: Session, query: Select[*tuple[Any, ...]]) -> Iterator[Any]:
    """The query's rows, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    yield from session.execute(query.execution_options(yield_per=BATCH))


def _when(value: Any) -> str:
    """A stored (naive UTC) time as a spreadsheet reads it."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _value(member: Any) -> str:
    """An enum member's value, or empty."""
    return "" if member is None else str(member.value)


def participants(session: Session, program: Program) -> Iterator[list[Any]]:
    """One row per enrolment: account, role, profile and enrolment fields."""
    yield ["name", "email", "role", *(f.name for f in PARTICIPANT_FIELDS)]
    columns = [getattr(Profile if f in PROFILE.fields else Enrolment, f.name)
               for f in PARTICIPANT_FIELDS]
    query = (select(User.name, User.email, Enrolment.role, *columns)
             .join(User, User.id == Enrolment.user_id)
             .outerjoin(Profile, Profile.user_id == User.id)
             .where(Enrolment.program_id == program.id).order_by(Enrolment.id))
    for name, email, role, *values in _batches(session, query):
        yield [name, email, role.value,
               *(f.show(value) for f, value in zip(PARTICIPANT_FIELDS, values, strict=True))]


def pairings(session: Session, program: Program) -> Iterator[list[Any]]:
    """One row per pairing: metadata only (never the end note or the matching reasons)."""
    yield ["pairing_id", "mentee_name", "mentee_email", "mentor_name", "mentor_email",
           "status", "source", "started_at_utc", "ended_at_utc", "end_reason"]
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    query = (select(Pairing.id, mentee_user.name, mentee_user.email, mentor_user.name,
                    mentor_user.email, Pairing.status, Pairing.source, Pairing.started_at,
                    Pairing.ended_at, Pairing.end_reason)
             .join(mentee, mentee.id == Pairing.mentee_enrolment_id)
             .join(mentee_user, mentee_user.id == mentee.user_id)
             .join(mentor, mentor.id == Pairing.mentor_enrolment_id)
             .join(mentor_user, mentor_user.id == mentor.user_id)
             .where(Pairing.program_id == program.id).order_by(Pairing.id))
    for (pairing_id, mentee_name, mentee_email, mentor_name, mentor_email, status, source,
         started, ended, reason) in _batches(session, query):
        yield [pairing_id, mentee_name, mentee_email, mentor_name, mentor_email,
               _value(status), _value(source), _when(started), _when(ended), _value(reason)]


def sessions(session: Session, program: Program) -> Iterator[list[Any]]:
    """One row per session: dates and status only (never the agenda, log or prep notes)."""
    yield ["session_id", "pairing_id", "starts_at_utc", "duration_minutes", "status"]
    query = (select(Meeting.id, Meeting.pairing_id, Meeting.starts_at,
                    Meeting.duration_minutes, Meeting.status)
             .join(Pairing, Pairing.id == Meeting.pairing_id)
             .where(Pairing.program_id == program.id).order_by(Meeting.id))
    for meeting_id, pairing_id, starts_at, minutes, status in _batches(session, query):
        yield [meeting_id, pairing_id, _when(starts_at), minutes, _value(status)]


def feedback(session: Session, program: Program) -> Iterator[list[Any]]:
    """Per month and side: pairs, ratings and mean rating, where at least MIN_PAIRS pairs rated.

    Fixed, disjoint buckets and no filters: nothing to subtract one bucket from another with.
    Read from the months ``rating_months`` keeps, as the dashboard reads them.
    """
    yield ["month", "ratings_by", "pairs", "ratings", "mean_rating"]
    query = (select(RatingMonth.month, RatingMonth.author_role, RatingMonth.pairs,
                    RatingMonth.ratings, RatingMonth.rating_sum)
             .where(RatingMonth.program_id == program.id, RatingMonth.ratings > 0,
                    RatingMonth.pairs >= MIN_PAIRS)
             .order_by(RatingMonth.month, RatingMonth.author_role))
    for month, role, n_pairs, n_ratings, total in session.execute(query):
        yield [month.strftime("%Y-%m"), f"{role.value}s", n_pairs, n_ratings,
               f"{total / n_ratings:.2f}"]


ROWS = {"participants": participants, "pairings": pairings, "sessions": sessions,
        "feedback": feedback}
