"""The demo data behind `make run`: `flask seed-demo` and `flask demo-logins`."""

from __future__ import annotations

import random
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from mentorship.db import Base, get_engine, get_session
from mentorship.models import (
    Availability,
    Enrolment,
    MatchRequest,
    MatchRound,
    Pairing,
    PairingSource,
    Program,
    ProgramStatus,
    RequestStatus,
    Role,
    RoundStatus,
    User,
)
from mentorship.security import password_problem
from mentorship.services import accounts, demo
from mentorship.services.demo_people import DEMO_DOMAIN, make_people, table
from mentorship.services.fields import clean_email
from mentorship.services.specs import PROFILE, ROLE_SPECS
from mentorship.services.vocabulary import normalize_tags, tag_suggestions
from tests.helpers import BASE_URL, ON_POSTGRES, make_app, planner_rows, prepare_schema

SMALL = ["--mentees", "12", "--mentors", "5", "--seed", "7"]


def seed(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["seed-demo", *args])


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        by_role = dict(session.execute(
            select(Enrolment.role, func.count()).join(Program)
            .where(Program.name == demo.MAIN_PROGRAM).group_by(Enrolment.role)).all())
        return {"users": session.scalar(select(func.count(User.id))),
                "programs": session.scalar(select(func.count(Program.id))),
                "mentees": by_role.get(Role.MENTEE, 0), "mentors": by_role.get(Role.MENTOR, 0)}


def snapshot(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = get_session().execute(
            select(User.name, User.email, Enrolment.role, Enrolment.goals, Enrolment.about)
            .join(Enrolment).order_by(User.id, Enrolment.id))
        return [tuple(row) for row in rows]


def recreate_tables(app: Flask) -> None:
    """A fresh, empty database in the same app, on SQLite and PostgreSQL alike."""
    if ON_POSTGRES:
        prepare_schema(app)  # truncates
        return
    with app.app_context():
        Base.metadata.drop_all(get_engine())
        Base.metadata.create_all(get_engine())


def test_seed_creates_the_requested_people_and_programs(app: Flask) -> None:
    result = seed(app, *SMALL)
    assert result.exit_code == 0, result.output
    assert "12 mentees and 5 mentors" in result.output
    assert counts(app) == {"users": 1 + 12 + 5 - 1, "programs": 4, "mentees": 12, "mentors": 5}
    with app.app_context():
        session = get_session()
        statuses = set(session.scalars(select(Program.status)))
        admins = session.scalars(select(User.email).where(User.is_admin)).all()
        mentors = session.scalars(select(Enrolment).join(Program).where(
            Program.name == demo.MAIN_PROGRAM, Enrolment.role == Role.MENTOR)).all()
        roles_per_user = session.execute(
            select(Enrolment.user_id, func.count()).join(Program)
            .where(Program.name == demo.MAIN_PROGRAM).group_by(Enrolment.user_id)).all()
    assert statuses == {ProgramStatus.OPEN, ProgramStatus.DRAFT, ProgramStatus.CLOSED,
                        ProgramStatus.RUNNING}
    assert admins == [demo.ADMIN_EMAIL]
    assert any(m.availability == Availability.PAUSED for m in mentors)
    assert any(n == 2 for _, n in roles_per_user)  # someone is both mentor and mentee


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner statistics")
def test_a_demo_load_leaves_the_planner_knowing_what_it_wrote(app: Flask) -> None:
    # Left to autovacuum, the first minute of pages after a load is planned blind.
    assert seed(app, "--mentees", "23", "--mentors", "9", "--seed", "7").exit_code == 0
    for name, model in (("users", User), ("enrolments", Enrolment), ("pairings", Pairing)):
        with app.app_context():
            stored = get_session().scalar(select(func.count()).select_from(model))
        assert planner_rows(app, name) == stored > 0


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner statistics")
def test_a_demo_load_counts_its_own_tables_and_waits_on_no_others(app: Flask) -> None:
    # Another schema's table, locked as a TRUNCATE or a migration elsewhere would lock it:
    # counting every table of the database would wait on it (or deadlock with it).
    schema = f"elsewhere_{uuid.uuid4().hex[:8]}"
    engine = create_engine(BASE_URL)
    with engine.begin() as setup:
        setup.execute(text(f'CREATE SCHEMA "{schema}"'))
        setup.execute(text(f'CREATE TABLE "{schema}".busy (id int)'))
    try:
        with engine.connect() as other, other.begin():
            other.execute(text(f'LOCK TABLE "{schema}".busy IN ACCESS EXCLUSIVE MODE'))
            done = ThreadPoolExecutor(1).submit(seed, app, *SMALL)
            result = done.result(timeout=30)  # with the lock still held
        assert result.exit_code == 0, result.output
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_seed_is_deterministic_for_a_seed(app: Flask) -> None:
    assert seed(app, *SMALL).exit_code == 0
    first = snapshot(app)
    recreate_tables(app)
    assert seed(app, *SMALL).exit_code == 0
    assert snapshot(app) == first
    recreate_tables(app)
    assert seed(app, "--mentees", "12", "--mentors", "5", "--seed", "8").exit_code == 0
    assert snapshot(app) != first


def test_every_stored_value_passes_the_input_rules(app: Flask) -> None:
    assert seed(app, "--mentees", "30", "--mentors", "10", "--seed", "3").exit_code == 0
    with app.app_context():
        session = get_session()
        users = session.scalars(select(User).order_by(User.id)).all()
        enrolments = session.scalars(select(Enrolment)).all()
        for user in users:
            assert clean_email(user.email) == user.email
            assert user.email.endswith("@" + DEMO_DOMAIN)
            profile = user.profile
            stored = {name: getattr(profile, name) for name in PROFILE.names}
            assert PROFILE.clean(stored) == stored, user.email
            assert profile.languages and profile.timezone and profile.headline and profile.bio
        for enrolment in enrolments:
            spec = ROLE_SPECS[enrolment.role]
            stored = {name: getattr(enrolment, name) for name in spec.names}
            assert spec.clean(stored) == stored
            if enrolment.role == Role.MENTOR:
                assert 1 <= enrolment.capacity <= 5 and enrolment.expertise and enrolment.about
                assert normalize_tags(enrolment.expertise) == enrolment.expertise
            else:
                assert enrolment.goals and enrolment.skills_to_grow
                assert normalize_tags(enrolment.skills_to_grow) == enrolment.skills_to_grow
    assert len({u.email_normalized for u in users}) == len(users)


def test_demo_people_look_like_a_real_cohort() -> None:
    people = make_people(random.Random(2026), 150, 50)
    mentors = [p for p in people if p.mentor]
    mentees = [p for p in people if p.mentee]
    expertise = {tag for p in mentors for tag in p.mentor["expertise"]}
    spoken = {code for p in mentors if p.mentor["availability"] == "open"
              for code in p.profile["languages"]}
    served = [p for p in mentees if set(p.mentee["skills_to_grow"]) & expertise]
    assert len(served) >= 0.9 * len(mentees)
    assert all(set(p.profile["languages"]) & spoken for p in mentees)
    assert len({p.profile["timezone"].split("/")[0] for p in people}) >= 5  # continents
    assert sum(len(p.profile["languages"]) > 1 for p in people) > len(people) / 4
    assert min(p.profile["years_experience"] for p in mentors) > 5
    assert len({p.name for p in people}) == len(people)


def test_every_tag_in_the_tables_is_a_vocabulary_term() -> None:
    known = set(tag_suggestions())
    tracks = table("demo_tracks")
    tags = set(tracks["mentor_extras"])
    for track in tracks["tracks"]:
        tags |= {t for goal in track["mentee"]["goals"] for t in goal["tags"]}
        tags |= set(track["mentee"]["skills"]) | set((track["mentor"] or {}).get("expertise", []))
    tags |= {t for goals in tracks["extra_goals"].values() if isinstance(goals, list)
             for goal in goals for t in goal["tags"]}
    assert tags - known == set()


def test_if_empty_does_nothing_when_a_program_exists(app: Flask) -> None:
    assert seed(app, "--if-empty", *SMALL).exit_code == 0
    before = counts(app)
    again = seed(app, "--if-empty", *SMALL)
    assert again.exit_code == 0 and "already has programs" in again.output
    assert counts(app) == before
    twice = seed(app, *SMALL)
    assert twice.exit_code != 0 and "already loaded" in twice.output
    assert counts(app) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--mentees", "-1"], "--mentees"),
    (["--mentors", "-3"], "--mentors"),
    (["--mentees", "10001"], "10000"),
    (["--mentors", "lots"], "not a valid integer"),
])
def test_bad_arguments_exit_non_zero_with_a_message(app: Flask, args: list[str],
                                                    message: str) -> None:
    result = seed(app, *args)
    assert result.exit_code != 0 and message in result.output
    assert counts(app)["users"] == 0


def test_demo_logins_authenticate(app: Flask) -> None:
    assert seed(app, *SMALL).exit_code == 0
    result = app.test_cli_runner().invoke(args=["demo-logins"])
    assert result.exit_code == 0 and demo.DEMO_PASSWORD in result.output
    emails = dict(re.findall(r"^\s+(admin|mentor|mentee):\s+(\S+)$", result.output, re.M))
    assert set(emails) == {"admin", "mentor", "mentee"}
    assert password_problem(demo.DEMO_PASSWORD) is None
    with app.app_context():
        session = get_session()
        for role, email in emails.items():
            user = accounts.user_by_email(session, email)
            assert accounts.password_matches(user, demo.DEMO_PASSWORD)
            assert user is not None and user.is_admin == (role == "admin")
            if role != "admin":
                assert {e.role.value for e in user.enrolments} == {role}


def test_demo_logins_say_when_there_is_no_demo(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo-logins"])
    assert result.exit_code == 0 and "No demo data" in result.output


def test_production_refuses_demo_data_without_force(database_url: str) -> None:
    app = make_app(database_url, TESTING=False, ENV="production")
    prepare_schema(app)
    result = app.test_cli_runner().invoke(args=["seed-demo", *SMALL])
    assert result.exit_code != 0 and "--force" in result.output
    assert counts(app)["users"] == 0
    forced = app.test_cli_runner().invoke(args=["seed-demo", "--force", *SMALL])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        get_engine().dispose()


def test_the_demo_is_lived_in(app: Flask) -> None:
    """The printed mentor has a mentorship and waiting requests, the printed mentee a pending
    request, and the running track's pairs came from a published round."""
    assert seed(app).exit_code == 0
    with app.app_context():
        session = get_session()
        logins = demo.demo_logins(session)
        assert logins is not None
        mentor = accounts.user_by_email(session, logins.mentor)
        mentee = accounts.user_by_email(session, logins.mentee)
        assert mentor is not None and mentee is not None
        statuses = session.execute(
            select(MatchRequest.status, func.count()).join(
                Enrolment, Enrolment.id == MatchRequest.mentor_enrolment_id)
            .where(Enrolment.user_id == mentor.id).group_by(MatchRequest.status)).all()
        assert dict(statuses)[RequestStatus.PENDING] >= 1
        assert dict(statuses)[RequestStatus.ACCEPTED] == 1
        assert session.scalar(select(func.count()).select_from(MatchRequest).join(
            Enrolment, Enrolment.id == MatchRequest.mentee_enrolment_id).where(
            Enrolment.user_id == mentee.id, MatchRequest.status == RequestStatus.PENDING)) == 1
        rounds = session.execute(select(MatchRound.status, Program.status).join(Program)).all()
        assert (RoundStatus.PUBLISHED, ProgramStatus.RUNNING) in rounds
        assert session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.source == PairingSource.ROUND)) > 0
