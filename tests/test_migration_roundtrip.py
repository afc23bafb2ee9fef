"""Going back a few migrations and forward again keeps every stored row: on SQLite a
migration that alters a table copies it and drops the old one, and with foreign keys
enforced dropping it would delete every row that points at it (sessions, feedback...)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, inspect, select, table

from mentorship.db import get_engine, get_session
from mentorship.migrate import alembic_config, upgrade_database
from mentorship.models import Feedback, Meeting, MeetingStatus, Role, utcnow
from tests.factories import make_program
from tests.flows import mentee, mentor, paired
from tests.helpers import make_app
from tests.test_migrations import migrated_url  # noqa: F401  (a fixture)

BACK_TO = "0011"  # before 0012, whose downgrade alters pairings and meetings
# Counts kept from other rows: their migrations rebuild them by counting those rows (the
# rows here were written without counting; tests/test_dashboard_counts.py checks them).
REBUILT = {"alembic_version", "rating_months", "session_weeks"}


def row_counts() -> dict[str, int]:
    session = get_session()
    names = inspect(session.connection()).get_table_names()
    return {name: session.scalar(select(func.count()).select_from(table(name)))
            for name in names if name not in REBUILT}


def test_a_round_trip_through_older_migrations_keeps_every_row(
        migrated_url: str) -> None:  # noqa: F811
    app = make_app(migrated_url)
    with app.app_context():
        upgrade_database()
        db = get_session()
        program = make_program(db, name="Kept")
        for number in range(2):
            pairing = paired(db, mentee(db, program, f"Mentee {number}"),
                             mentor(db, program, f"Mentor {number}"))
            held = Meeting(pairing_id=pairing.id, starts_at=utcnow(), duration_minutes=45,
                           status=MeetingStatus.COMPLETED)
            db.add(held)
            db.flush()
            db.add(Feedback(pairing_id=pairing.id, author_role=Role.MENTEE, rating=5,
                            created_at=utcnow(), meeting_id=held.id))
        db.commit()
        before = row_counts()
        db.close()
        command.downgrade(alembic_config(), BACK_TO)
        upgrade_database()
        after = row_counts()
        get_session().close()
        get_engine().dispose()
    assert before["meetings"] == 2 and before["feedback"] == 2
    assert after == before
