"""A request that only reads runs in a transaction that cannot write, and ends it without
discarding what the database connection prepared (PostgreSQL's prepared statements)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from mentorship.db import engines, get_engine, get_session
from mentorship.models import Program
from mentorship.services import dashboard
from tests.factories import create, login, make_program, make_user
from tests.helpers import ON_POSTGRES, count_queries


def test_a_request_that_only_reads_cannot_write(app: Flask) -> None:
    program_id = create(app, lambda s: make_program(s, name="Read only").id)
    with app.test_request_context("/", method="GET"):
        db = get_session()
        with pytest.raises(DBAPIError):
            db.execute(update(Program).where(Program.id == program_id)
                       .values(description="written on a read"))
    with app.test_request_context("/", method="POST"):
        db = get_session()
        assert db.scalar(select(Program.description).where(Program.id == program_id)) \
            != "written on a read"
        db.execute(update(Program).where(Program.id == program_id).values(description="ok"))
        db.commit()
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Program)
                                    .where(Program.description == "ok")) == 1


def test_a_read_the_database_cancels_answers_503_and_the_next_one_works(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's error handler answers, so the teardown sees no exception: it must not
    commit the failed transaction (PostgreSQL has aborted it) nor keep the connection."""
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)

    def cancelled(session: Session, _user: object, _today: object) -> None:
        if not ON_POSTGRES:
            raise OperationalError("SELECT", {}, Exception("cancelled"))
        # Cancelled as a statement timeout or an operator would cancel it.
        session.execute(text("SELECT pg_cancel_backend(pg_backend_pid()), pg_sleep(1)"))

    monkeypatch.setattr(dashboard, "home", cancelled)
    assert client.get("/").status_code == 503
    monkeypatch.undo()
    assert client.get("/").status_code == 200


@pytest.mark.skipif(not ON_POSTGRES, reason="psycopg's prepared statements")
def test_pages_keep_the_statements_postgresql_prepared(app: Flask) -> None:
    """psycopg prepares a statement the fifth time a connection runs it, and forgets them
    all on ROLLBACK: reads that ended in ROLLBACK had every query parsed and planned again."""
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    for _ in range(7):
        assert client.get("/").status_code == 200
    with count_queries(app) as page:
        assert client.get("/").status_code == 200
    with app.app_context(), engines()[-1].connect() as connection:  # the one the pages used
        prepared = connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert len(page) >= 2 and prepared >= len(set(page))  # each of the page's statements


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's query_only")
def test_reads_in_a_row_keep_what_sqlite_compiled(app: Flask) -> None:
    """Setting ``query_only`` makes SQLite discard every statement compiled on the
    connection: set on every transaction, every query of every page was compiled again.
    It is set only when a transaction of the other kind comes, and still holds."""
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    ran: list[str] = []

    def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(ran.append)

    with app.app_context():
        engine = get_engine()
    event.listen(engine.pool, "checkout", trace)
    try:
        for _ in range(5):
            page = client.get("/")
            assert page.status_code == 200
        assert sum("query_only" in statement for statement in ran) <= 1
        ran.clear()
        assert client.post("/notifications/read",
                           headers={"X-CSRF-Token": csrf_token_of(page.get_data(as_text=True))}
                           ).status_code == 302
        assert client.get("/").status_code == 200
        assert [s for s in ran if "query_only" in s] == ["PRAGMA query_only=0",
                                                          "PRAGMA query_only=1"]
    finally:
        event.remove(engine.pool, "checkout", trace)
    test_a_request_that_only_reads_cannot_write(app)  # a read after a write still cannot


def csrf_token_of(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', page)
    assert found
    return found.group(1)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's connections of pages that read")
def test_a_read_connection_the_database_dropped_fails_one_page_and_is_replaced(
        app: Flask) -> None:
    """Pages that only read check no connection before use (a round trip per page): the
    one that finds it dropped answers 503, and the next page has a new connection."""
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    assert client.get("/").status_code == 200
    with app.app_context():
        reader = engines()[-1]
        with reader.connect() as connection:  # the pool's connection, the page's
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
        with get_engine().connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert client.get("/").status_code == 503
    assert client.get("/").status_code == 200
