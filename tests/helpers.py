"""What the web-app tests share besides fixtures: the database under test and app builders."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import quote

from flask import Flask
from sqlalchemy import create_engine, event, text

from mentorship import create_app, security
from mentorship.db import Base, engines, get_engine, get_session

BASE_URL = os.environ.get("DATABASE_URL") or "sqlite://"
ON_POSTGRES = BASE_URL.startswith("postgresql")
if BASE_URL.startswith("postgresql://"):
    BASE_URL = "postgresql+psycopg://" + BASE_URL[len("postgresql://"):]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
security.use_cheap_hashing()  # before any factory hashes a password


def worker_schema(prefix: str = "test") -> str:
    """A schema name of this test process alone (parallel workers and runs never meet)."""
    return f"{prefix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def postgres_url(schema: str) -> str:
    """The PostgreSQL URL with ``schema`` as the search path, so parallel workers never meet."""
    joiner = "&" if "?" in BASE_URL else "?"
    return f"{BASE_URL}{joiner}options={quote('-csearch_path=' + schema)}"


def reset_postgres_schema(schema: str, *, create: bool = True) -> None:
    engine = create_engine(BASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def make_app(url: str, **overrides: object) -> Flask:
    # Sign-ups per address are limited to 300 in production; ten keep the tests quick.
    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET,
              "CSRF_ENABLED": False, "THROTTLE_SIGN_UP_PER_ADDRESS": 10} | overrides
    return create_app(config)


def prepare_schema(app: Flask) -> None:
    with app.app_context():
        if ON_POSTGRES:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with get_engine().begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            Base.metadata.create_all(get_engine())


def dispose(app: Flask) -> None:
    with app.app_context():
        for engine in engines():
            engine.dispose()


def app_on(url: str, **overrides: object) -> Iterator[Flask]:
    """Body of the app fixtures: a ready app on ``url``, its connections closed afterwards."""
    app = make_app(url, **overrides)
    prepare_schema(app)
    yield app
    dispose(app)


@contextlib.contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block (for "independent of N" tests)."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with app.app_context():
        every = engines()
    for engine in every:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in every:
            event.remove(engine, "before_cursor_execute", record)


def planner_rows(app: Flask, table: str) -> float:
    """How many rows PostgreSQL's planner believes ``table`` holds (-1: never counted)."""
    with app.app_context():
        return float(get_session().scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)"),
            {"table": table}))
