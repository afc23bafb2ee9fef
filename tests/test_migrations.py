"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import JSON, Date, DateTime, Integer, String, Text, column, create_engine, inspect, select, table

from mentorship.db import Base, get_engine
from mentorship.migrate import alembic_config, upgrade_database
from mentorship.models import User
from tests.helpers import (
    ON_POSTGRES,
    make_app,
    postgres_url,
    reset_postgres_schema,
    worker_schema,
)

# The tables as revision 0001 made them: today's models have columns added since.
PROGRAMS_0001 = table("programs", column("id", Integer), column("name", String),
                      column("description", Text), column("status", String),
                      column("weights", JSON), column("max_timezone_gap_hours", Integer),
                      column("max_pending_requests", Integer), column("created_at", DateTime),
                      column("starts_on", Date), column("ends_on", Date))
PROFILES_0001 = table("profiles", column("user_id", Integer), column("timezone", String),
                      column("headline", String), column("bio", Text), column("languages", JSON),
                      column("industry", String), column("skills", JSON),
                      column("updated_at", DateTime))


@pytest.fixture
def migrated_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a fresh PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    schema = worker_schema("migrations")
    reset_postgres_schema(schema)
    yield postgres_url(schema)
    reset_postgres_schema(schema, create=False)


def test_upgrade_head_matches_the_models(migrated_url: str) -> None:
    url = migrated_url
    app: Flask = make_app(url)
    with app.app_context():
        upgrade_database()
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
    with app.app_context():
        get_engine().dispose()


def test_upgrade_is_idempotent(migrated_url: str) -> None:
    app = make_app(migrated_url)
    with app.app_context():
        upgrade_database()
        upgrade_database()
        get_engine().dispose()


def test_prepare_demo_migrates_seeds_once_and_prints_logins(migrated_url: str) -> None:
    app = make_app(migrated_url)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["prepare-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo program loaded" in first.output
    assert "admin@demo.mentorship.test" in first.output
    again = runner.invoke(args=["prepare-demo"])
    assert again.exit_code == 0, again.output
    assert "demo data not loaded" in again.output
    assert "admin@demo.mentorship.test" in again.output
    with app.app_context():
        get_engine().dispose()


def test_time_zone_values_that_meant_nothing_become_unknown(migrated_url: str) -> None:
    # A limit of 13 to 26 hours never excluded anyone (clocks are at most 12 hours
    # apart), and "localtime" was the server's zone: the forms now refuse both.
    app = make_app(migrated_url)
    programs, users, profiles = PROGRAMS_0001, User.__table__, PROFILES_0001
    with app.app_context():
        command.upgrade(alembic_config(), "0001")
        with get_engine().begin() as conn:
            conn.execute(programs.insert(), [
                {"name": name, "max_timezone_gap_hours": gap, "description": "",
                 "status": "draft", "weights": {}, "max_pending_requests": 3,
                 "created_at": datetime(2026, 1, 1)} for name, gap in (("Wide", 20), ("Close", 6))])
            conn.execute(users.insert(), [{"id": i, "email": f"p{i}@example.org", "name": f"P{i}",
                                           "email_normalized": f"p{i}@example.org", "password_hash": "x"}
                                          for i in (1, 2)])
            conn.execute(profiles.insert(), [
                {"user_id": user_id, "timezone": zone, "headline": "", "bio": "", "languages": [],
                 "industry": "", "skills": [], "updated_at": datetime(2026, 1, 1)}
                for user_id, zone in ((1, "localtime"), (2, "Europe/Oslo"))])
        upgrade_database()
        with get_engine().connect() as conn:
            limits = dict(conn.execute(select(programs.c.name, programs.c.max_timezone_gap_hours)).all())
            zones = dict(conn.execute(select(profiles.c.user_id, profiles.c.timezone)).all())
        get_engine().dispose()
    assert limits == {"Wide": None, "Close": 6}
    assert zones == {1: None, 2: "Europe/Oslo"}


def test_weights_keep_their_shares_as_percentages(migrated_url: str) -> None:
    # Before 0003 a program's weights were overrides merged into engine defaults summing
    # to 1: {"language": 2} made language 2 / 2.9 of the score. The share must survive.
    app = make_app(migrated_url)
    with app.app_context():
        command.upgrade(alembic_config(), "0002")
        with get_engine().begin() as conn:
            conn.execute(PROGRAMS_0001.insert(), [
                {"name": name, "weights": weights, "description": "", "status": "draft",
                 "max_pending_requests": 3, "created_at": datetime(2026, 1, 1)}
                for name, weights in (("Tuned", {"language": 2}), ("Plain", {}))])
        upgrade_database()
        with get_engine().connect() as conn:
            stored = dict(conn.execute(select(PROGRAMS_0001.c.name, PROGRAMS_0001.c.weights)).all())
        get_engine().dispose()
    assert stored["Plain"] == {}
    tuned = stored["Tuned"]
    assert set(tuned) == {"text", "language", "timezone", "experience", "industry"}
    assert sum(tuned.values()) == pytest.approx(100, abs=0.01)
    assert tuned["language"] / sum(tuned.values()) == pytest.approx(2 / 2.9, abs=1e-4)
