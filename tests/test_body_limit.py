"""Bodies over MAX_CONTENT_LENGTH answer 413 and change nothing, however they are sent."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship import create_app
from mentorship.db import get_session
from mentorship.models import Profile
from tests.api.helpers import bearer
from tests.factories import create, make_user
from tests.helpers import TEST_SECRET, app_on
from tests.live import Answer, Server, development_server, gunicorn_server

LIMIT = 1024 * 1024
MARKER = "sent over the wire"


def profile_patch(padding: int) -> bytes:
    """A valid JSON object followed by ``padding`` spaces: cut anywhere, it still parses."""
    return json.dumps({"headline": MARKER}).encode() + b" " * padding


def stored_headline(app: Flask, user_id: int) -> str | None:
    with app.app_context():
        return get_session().scalar(select(Profile.headline).where(Profile.user_id == user_id))


@pytest.fixture(params=["development", "gunicorn"])
def live(request: pytest.FixtureRequest, file_app: Flask, file_database_url: str,
         tmp_path: Path) -> Iterator[Server]:
    """The app on a real socket: the werkzeug threaded server, or gunicorn as `make run`."""
    starters: dict[str, Callable[[], AbstractContextManager[Server]]] = {
        "development": lambda: development_server(file_app),
        "gunicorn": lambda: gunicorn_server(file_database_url, tmp_path / "gunicorn.log"),
    }
    with starters[request.param]() as server:
        yield server


@pytest.fixture
def member(file_app: Flask) -> int:
    return create(file_app, lambda s: make_user(s).id)


def patch_profile(live: Server, headers: dict[str, str], body: bytes, *,
                  chunked: bool) -> Answer:
    return live.request("PATCH", "/api/v1/me/profile", body, chunked=chunked,
                        headers=headers | {"Content-Type": "application/json"})


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_oversized_api_body_is_413_and_stores_nothing(live: Server, file_app: Flask,
                                                      member: int, chunked: bool) -> None:
    answer = patch_profile(live, bearer(file_app, member), profile_patch(3 * LIMIT),
                           chunked=chunked)
    assert answer.status == 413
    assert json.loads(answer.body)["error"]["code"] == "too_large"
    assert stored_headline(file_app, member) == ""  # as the factory left it


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_body_under_the_limit_is_accepted(live: Server, file_app: Flask, member: int,
                                          chunked: bool) -> None:
    answer = patch_profile(live, bearer(file_app, member), profile_patch(500 * 1024),
                           chunked=chunked)
    assert answer.status == 200, answer.body[:500]
    assert json.loads(answer.body)["headline"] == MARKER
    assert stored_headline(file_app, member) == MARKER


def test_body_of_exactly_the_limit_is_accepted(live: Server, file_app: Flask,
                                               member: int) -> None:
    body = profile_patch(0)
    answer = patch_profile(live, bearer(file_app, member), body + b" " * (LIMIT - len(body)),
                           chunked=True)
    assert answer.status == 200
    assert stored_headline(file_app, member) == MARKER


def test_oversized_chunked_form_gets_the_html_413_page(live: Server) -> None:
    body = b"email=a%40example.test&password=" + b"x" * (3 * LIMIT)
    answer = live.request("POST", "/login", body, chunked=True,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 413
    assert answer.headers["Content-Type"].startswith("text/html")


def chunked(body: bytes) -> dict[str, object]:
    """Test-client arguments for a body streamed without a length, as a server passes it on."""
    return {"input_stream": io.BytesIO(body),
            "environ_overrides": {"wsgi.input_terminated": True}}


@pytest.mark.parametrize("size, status", [(2000, 413), (1000, 422)])
def test_the_limit_is_a_setting(database_url: str, size: int, status: int) -> None:
    for app in app_on(database_url, MAX_CONTENT_LENGTH=1000):
        body = b"email=a%40example.test&password=" + b"x" * (size - 32)
        response = app.test_client().post(
            "/login", content_type="application/x-www-form-urlencoded", **chunked(body))
        assert response.status_code == status


def test_the_limit_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORSHIP_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    assert create_app().config["MAX_CONTENT_LENGTH"] == 2048


def test_oversized_body_is_413_even_where_the_view_ignores_bodies(app: Flask) -> None:
    response = app.test_client().get("/login", **chunked(b"x" * (LIMIT + 1)))
    assert response.status_code == 413
