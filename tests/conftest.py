"""Fixtures shared by the web-app tests: an app per test on SQLite or PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from werkzeug.serving import make_server

from mentorship.db import Base
from tests.helpers import (
    ON_POSTGRES,
    app_on,
    postgres_url,
    reset_postgres_schema,
    worker_schema,
)


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A per-worker PostgreSQL schema with the tables created once."""
    schema = worker_schema()
    reset_postgres_schema(schema)
    url = postgres_url(schema)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    reset_postgres_schema(schema, create=False)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # noqa: ANN001
    """In-memory SQLite by default; PostgreSQL when DATABASE_URL says so."""
    if ON_POSTGRES:
        return request.getfixturevalue("postgres_schema_url")
    return "sqlite://"


@pytest.fixture
def file_database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # noqa: ANN001
    """A database several threads or processes can share (a live server, a race)."""
    if ON_POSTGRES:
        return request.getfixturevalue("postgres_schema_url")
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    yield from app_on(database_url)


@pytest.fixture
def csrf_app(database_url: str) -> Iterator[Flask]:
    """An app with CSRF protection on, as in production."""
    yield from app_on(database_url, CSRF_ENABLED=True)


@pytest.fixture
def file_app(file_database_url: str) -> Iterator[Flask]:
    yield from app_on(file_database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def server(file_app: Flask) -> Iterator[str]:
    """``file_app`` served by a real threaded server on a free port, for race tests."""
    httpd = make_server("127.0.0.1", 0, file_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
