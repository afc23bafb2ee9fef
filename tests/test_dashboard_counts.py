"""The counts the dashboard reads are exactly what the rows say: ratings per month as
they are given, when two of one pair race, when an account is erased; sessions per week
and each pair's latest session as sessions are logged; and both after the migrations."""

from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timedelta
from typing import Any

from alembic import command
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.db import get_engine, get_session
from mentorship.migrate import alembic_config, upgrade_database
from mentorship.models import (
    Feedback,
    Meeting,
    MeetingStatus,
    Pairing,
    Program,
    RatingMonth,
    Role,
    SessionWeek,
    User,
    utcnow,
)
from mentorship.services import feedback, meetings, personal_data, rating_months, session_counts
from mentorship.services.session_counts import week_of
from tests.factories import create, make_program
from tests.flows import mentee, mentor, paired
from tests.helpers import make_app
from tests.test_dashboard import meeting, rate
from tests.test_migrations import migrated_url  # noqa: F401  (a fixture)


def kept(session: Session, program_id: int) -> dict[tuple[Any, Role], tuple[int, int, int]]:
    rows = session.execute(select(RatingMonth).where(RatingMonth.program_id == program_id))
    return {(r.month, r.author_role): (r.ratings, r.rating_sum, r.pairs) for r in rows.scalars()}


def recounted(session: Session, program_id: int) -> dict[tuple[Any, Role], tuple[int, int, int]]:
    """What a recount from the ratings gives (rolled back: the kept rows stay)."""
    with session.begin_nested() as nested:
        rating_months.recount(session, program_id)
        fresh = kept(session, program_id)
        nested.rollback()
    return fresh


def pairs_of(session: Session, program: Program, count: int) -> list[Pairing]:
    return [paired(session, mentee(session, program, f"Mentee {i}"),
                   mentor(session, program, f"Mentor {i}")) for i in range(count)]


def test_ratings_counted_as_given_equal_a_recount(app: Flask) -> None:
    choose = random.Random(7)
    first = utcnow().replace(day=1, hour=12) - timedelta(days=70)

    def build(session: Session) -> tuple[int, dict[Any, Any], dict[Any, Any]]:
        program = make_program(session, name="Counted")
        pairs = pairs_of(session, program, 5)
        for _ in range(60):
            at = first + timedelta(days=choose.randrange(0, 95), hours=choose.randrange(0, 9))
            rate(session, choose.choice(pairs), choose.choice(list(Role)),
                 choose.randint(1, 5), at)
        return program.id, kept(session, program.id), recounted(session, program.id)
    _program, counted, fresh = create(app, build)
    assert len(counted) >= 6  # several months, both sides
    assert counted == fresh
    assert any(pairs < ratings for ratings, _sum, pairs in counted.values())


def test_a_rating_given_through_the_workspace_is_counted(app: Flask) -> None:
    def build(session: Session) -> dict[Any, Any]:
        program = make_program(session, name="Given")
        pairing = pairs_of(session, program, 1)[0]
        held = meeting(session, pairing, utcnow() - timedelta(hours=2))
        feedback.give(session, pairing, held, pairing.mentee.user,
                      {"rating": "4", "went_well": "Clear plan", "to_improve": "",
                       "advice": ""})
        return kept(session, program.id)
    counted = create(app, build)
    assert list(counted.values()) == [(1, 4, 1)]
    assert next(iter(counted))[1] == Role.MENTEE


def test_two_ratings_of_one_pair_racing_count_the_pair_once(file_app: Flask) -> None:
    """The second writer waits for the first's lock, then sees its rating."""
    app = file_app
    def build(session: Session) -> tuple[int, int, list[int]]:
        program = make_program(session, name="Racing")
        pairing = pairs_of(session, program, 1)[0]
        at = utcnow() - timedelta(hours=3)
        return program.id, pairing.id, [meeting(session, pairing, at).id,
                                         meeting(session, pairing, at).id]
    program_id, pairing_id, meetings = create(app, build)
    first_counted, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def give(meeting_id: int, hold: bool) -> None:
        try:
            with app.app_context(), Session(get_engine()) as session:
                given = Feedback(pairing_id=pairing_id, meeting_id=meeting_id,
                                 author_role=Role.MENTEE, rating=5)
                session.add(given)
                session.flush()
                rating_months.count(session, given, program_id)
                if hold:
                    first_counted.set()
                    release.wait(10)
                session.commit()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
    holder = threading.Thread(target=give, args=(meetings[0], True))
    holder.start()
    assert first_counted.wait(10)
    racer = threading.Thread(target=give, args=(meetings[1], False))
    racer.start()
    time.sleep(0.5)  # the racer is now waiting on the holder's lock
    release.set()
    holder.join(20)
    racer.join(20)
    assert not failures
    with app.app_context():
        assert list(kept(get_session(), program_id).values()) == [(2, 10, 1)]


def test_erasing_an_account_recounts_its_months(app: Flask) -> None:
    """Three pairs rate this month; one mentee leaves: two pairs, below the floor."""
    def build(session: Session) -> tuple[int, int]:
        program = make_program(session, name="Erased")
        pairs = pairs_of(session, program, 3)
        for index, pairing in enumerate(pairs):
            held = meeting(session, pairing, utcnow() - timedelta(hours=2))
            feedback.give(session, pairing, held, pairing.mentee.user,
                          {"rating": str(index + 2), "went_well": "", "to_improve": "",
                           "advice": ""})
        return program.id, pairs[0].mentee.user_id
    program_id, leaving = create(app, build)

    def erase(session: Session) -> tuple[Any, Any]:
        before = kept(session, program_id)
        personal_data.delete_account(session, session.get(User, leaving))
        return before, kept(session, program_id)
    before, after = create(app, erase)
    assert list(before.values()) == [(3, 9, 3)]
    assert list(after.values()) == [(2, 7, 2)]
    with app.app_context():
        assert after == recounted(get_session(), program_id)


def test_the_migrations_count_the_ratings_and_sessions_already_there(
        migrated_url: str) -> None:  # noqa: F811
    """Ratings and completed sessions written before the counts existed are counted
    by the migrations that add them, as a recount would count them."""
    app = make_app(migrated_url)
    with app.app_context():
        upgrade_database()
        when = datetime(2026, 3, 14, 9)  # a Saturday: its week began on Monday the 9th

        def build(session: Session) -> int:
            program = make_program(session, name="Before")
            for number, pairing in enumerate(pairs_of(session, program, 3)):
                for status in (MeetingStatus.COMPLETED, MeetingStatus.MISSED):
                    held = Meeting(pairing_id=pairing.id, starts_at=when + timedelta(days=number),
                                   duration_minutes=60, status=status)
                    session.add(held)
                    session.flush()
                for role in Role:
                    session.add(Feedback(pairing_id=pairing.id, author_role=role,
                                         rating=number + 1, created_at=when,
                                         meeting_id=held.id))
            session.flush()
            return program.id
        program_id = build(get_session())  # written without counting them
        get_session().commit()
        command.downgrade(alembic_config(), "0013")
        upgrade_database()
        db = get_session()
        counted = kept(db, program_id), weeks(db, program_id), latest(db, program_id)
        with db.begin_nested() as nested:
            rating_months.recount(db, program_id)
            session_counts.recount(db, program_id)
            fresh = kept(db, program_id), weeks(db, program_id), latest(db, program_id)
            nested.rollback()
        db.rollback()
        get_engine().dispose()
    assert counted == fresh
    assert set(counted[0].values()) == {(3, 6, 3)}
    assert counted[1] == {date(2026, 3, 9): 2, date(2026, 3, 16): 1}
    assert sorted(counted[2]) == [when, when + timedelta(days=1), when + timedelta(days=2)]


def weeks(session: Session, program_id: int) -> dict[date, int]:
    return dict(session.execute(select(SessionWeek.week, SessionWeek.completed)
                                .where(SessionWeek.program_id == program_id)).all())


def latest(session: Session, program_id: int) -> list[datetime | None]:
    return list(session.scalars(select(Pairing.last_session_at)
                                .where(Pairing.program_id == program_id)))


def test_logging_sessions_counts_their_weeks_and_the_pairs_latest(app: Flask) -> None:
    """Completed counts; missed does not; a log changed to missed is taken back, and the
    pair's latest session falls back to the one before."""
    earlier, later = utcnow() - timedelta(days=9), utcnow() - timedelta(days=2)

    def planned(session: Session) -> tuple[int, int, list[int]]:
        program = make_program(session, name="Logged")
        pairing = pairs_of(session, program, 1)[0]
        held = [Meeting(pairing_id=pairing.id, starts_at=at, duration_minutes=60)
                for at in (earlier, later, later)]
        session.add_all(held)
        session.flush()
        return program.id, pairing.id, [m.id for m in held]
    program_id, pairing_id, meeting_ids = create(app, planned)

    def log(meeting_id: int, outcome: str, *, editing: bool = False) -> Any:
        def write(session: Session) -> Any:
            pairing = session.get(Pairing, pairing_id)
            meetings.log(session, pairing, session.get(Meeting, meeting_id),
                         pairing.mentor.user, {"outcome": outcome, "owner": "mentee"},
                         editing=editing)
            return weeks(session, program_id), session.get(Pairing, pairing_id).last_session_at
        return create(app, write)
    first, second, third = meeting_ids
    assert log(first, "completed") == ({week_of(earlier): 1}, earlier)
    assert log(third, "missed") == ({week_of(earlier): 1}, earlier)
    counted = {week_of(earlier): 1} | {week_of(later): (week_of(later) == week_of(earlier)) + 1}
    assert log(second, "completed") == (counted, later)
    assert log(second, "missed", editing=True) == ({week_of(earlier): 1, week_of(later):
                                                    int(week_of(later) == week_of(earlier))},
                                                   earlier)
