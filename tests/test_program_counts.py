"""Each program's mentee and mentor counts, which the admin overview reads, equal a
recount whoever writes the enrolments: enrolling, a CSV import, erasing an account,
deleting an enrolment or a program, a change of role, enrolments at the same moment,
and the migration that fills them for the enrolments already stored."""

from __future__ import annotations

import threading

from alembic import command
from flask import Flask
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from mentorship.db import get_engine, get_session
from mentorship.migrate import alembic_config, upgrade_database
from mentorship.models import Enrolment, Program, Role, User
from mentorship.services import imports, personal_data, programs
from tests.factories import make_enrolment, make_program, make_user
from tests.flows import mentee, mentor, paired
from tests.helpers import make_app
from tests.test_migrations import migrated_url  # noqa: F401  (a fixture)

CSV = b"""name,email,role,goals,capacity,expertise
Ada Lovelace,ada@example.org,mentee,Lead a team,,
Grace Hopper,grace@example.org,mentor,,3,compilers
Alan Turing,alan@example.org,mentee,Learn to mentor,,
"""


def recounted(session: Session) -> dict[int, dict[str, int]]:
    """Every program's enrolments counted from the rows."""
    counts = {program_id: {"mentee": 0, "mentor": 0}
              for program_id in session.scalars(select(Program.id))}
    for program_id, role, number in session.execute(
            select(Enrolment.program_id, Enrolment.role, func.count())
            .group_by(Enrolment.program_id, Enrolment.role)):
        counts[program_id][role.value] = number
    return counts


def test_counts_follow_every_kind_of_write(app: Flask) -> None:
    with app.app_context():
        db = get_session()
        spring, autumn = make_program(db, name="Spring"), make_program(db, name="Autumn")
        assert programs.enrolment_counts(db) == recounted(db) == {
            spring.id: {"mentee": 0, "mentor": 0}, autumn.id: {"mentee": 0, "mentor": 0}}

        ada = make_user(db)
        programs.enrol(db, ada, spring, "mentee", {"goals": "Lead a team"})
        programs.enrol(db, ada, spring, "mentor", {"about": "Twenty years of data work",
                                                   "capacity": 2, "availability": "open"})
        pair = paired(db, mentee(db, autumn, "Mei"), mentor(db, autumn, "Ola"))
        make_enrolment(db, make_user(db), autumn, Role.MENTOR)
        assert programs.enrolment_counts(db) == recounted(db)
        assert programs.enrolment_counts(db)[spring.id] == {"mentee": 1, "mentor": 1}

        report = imports.apply(db, spring, CSV, None, lambda token: f"https://x.test/{token}")
        assert report.applied
        assert programs.enrolment_counts(db)[spring.id] == {"mentee": 3, "mentor": 2}

        db.delete(db.scalars(select(Enrolment).where(Enrolment.user_id == ada.id,
                                                     Enrolment.role == Role.MENTOR)).one())
        db.flush()
        # The mentee whose pairing points at her enrolment keeps it as a placeholder.
        personal_data.delete_account(db, db.get_one(User, pair.mentee.user_id))
        personal_data.delete_account(db, ada)
        assert programs.enrolment_counts(db) == recounted(db)
        assert programs.enrolment_counts(db)[spring.id] == {"mentee": 2, "mentor": 1}

        db.execute(update(Enrolment).where(Enrolment.program_id == spring.id,
                                           Enrolment.role == Role.MENTEE)
                   .values(program_id=autumn.id))
        assert programs.enrolment_counts(db) == recounted(db)
        db.execute(delete(Enrolment).where(Enrolment.program_id == autumn.id))
        assert programs.enrolment_counts(db) == recounted(db)
        assert programs.enrolment_counts(db)[autumn.id] == {"mentee": 0, "mentor": 0}

        db.delete(db.get(Program, spring.id))  # its enrolments go with it
        db.flush()
        assert programs.enrolment_counts(db) == recounted(db) == {
            autumn.id: {"mentee": 0, "mentor": 0}}
        db.rollback()


def test_simultaneous_enrolments_are_all_counted(file_app: Flask) -> None:
    """Eight people enrol in one program at the same moment, each in its own transaction
    and connection: none of the counts is lost (the database serialises the updates)."""
    with file_app.app_context():
        db = get_session()
        program_id = make_program(db, name="Busy").id
        people = [make_user(db).id for _ in range(8)]
        db.commit()
    start = threading.Barrier(len(people))
    failures: list[BaseException] = []

    def enrol(user_id: int) -> None:
        try:
            with file_app.app_context():
                session = get_session()
                user = session.get_one(User, user_id)
                program = session.get_one(Program, program_id)
                session.commit()  # no transaction held while the others load theirs
                start.wait(timeout=30)
                programs.enrol(session, user, program, "mentee", {"goals": "Grow"})
                session.commit()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=enrol, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with file_app.app_context():
        db = get_session()
        assert programs.enrolment_counts(db)[program_id] == {"mentee": 8, "mentor": 0}
        assert programs.enrolment_counts(db) == recounted(db)


def test_the_migration_counts_the_enrolments_already_stored(
        migrated_url: str) -> None:  # noqa: F811
    app = make_app(migrated_url)
    with app.app_context():
        upgrade_database()
        command.downgrade(alembic_config(), "0017")  # enrolments written without counting
        db = get_session()
        # Plain SQL: the model's programs have columns 0017 lacks.
        db.execute(text("INSERT INTO programs (name, description, status, weights, "
                        "max_pending_requests, request_expiry_days, at_risk_after_days, "
                        "created_at, version) VALUES ('Before', '', 'open', '{}', 3, 7, 21, "
                        "CURRENT_TIMESTAMP, 1)"))
        program_id = db.scalar(text("SELECT id FROM programs WHERE name = 'Before'"))
        db.commit()
        for role in ("mentee", "mentee", "mentor"):
            user = make_user(db)
            db.execute(Enrolment.__table__.insert().values(
                program_id=program_id, user_id=user.id, role=role, goals="", about="",
                skills_to_grow=[], expertise=[],
                capacity=2 if role == "mentor" else None,
                availability="open" if role == "mentor" else None, seats_taken=0,
                created_at=func.now(), updated_at=func.now(), version=1))
        db.commit()
        upgrade_database()
        counts = programs.enrolment_counts(db)
        fresh = recounted(db)
        user = make_user(db)
        programs.enrol(db, user, db.get_one(Program, program_id), "mentee", {"goals": "Grow"})
        after = programs.enrolment_counts(db)[program_id]
        db.rollback()
        get_engine().dispose()
    assert counts[program_id] == fresh[program_id] == {"mentee": 2, "mentor": 1}
    assert after == {"mentee": 3, "mentor": 1}  # and the triggers count from there
