"""CSRF, headers, escaping, body limits and error pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from mentorship.db import get_session
from mentorship.models import User
from mentorship.services import profiles
from tests.factories import create, login, make_user

SIGN_UP = {"name": "Grace Hopper", "email": "grace@example.org",
           "password": "compilers are friends 1952"}


def scrape_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def users(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(User))


def test_post_without_csrf_token_is_rejected_and_saves_nothing(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    response = client.post("/register", data=SIGN_UP)
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert users(csrf_app) == 0


def test_post_with_forged_token_is_rejected(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    client.get("/register")
    response = client.post("/register", data=SIGN_UP | {"csrf_token": "forged##token"})
    assert response.status_code == 400
    assert users(csrf_app) == 0


def test_token_from_the_page_lets_the_post_through(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    token = scrape_token(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data=SIGN_UP | {"csrf_token": token})
    assert response.status_code == 302
    assert users(csrf_app) == 1


def test_logout_needs_csrf(csrf_app: Flask) -> None:
    user_id = create(csrf_app, lambda s: make_user(s).id)
    client = csrf_app.test_client()
    login(csrf_app, client, user_id)
    assert client.post("/logout").status_code == 400
    assert client.get("/profile/").status_code == 200  # still signed in
    assert client.get("/logout").status_code == 405


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_cached(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    assert client.get("/profile/").headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_scripts_or_styles(client: FlaskClient) -> None:
    html = client.get("/register").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "onclick" not in html


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("field", ["headline", "bio", "industry", "skills"])
def test_script_in_a_profile_field_renders_inert(app: Flask, field: str) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    with app.app_context():
        session = get_session()
        profiles.update_profile(session, session.get(User, user_id), {field: PAYLOAD})
        session.commit()
    client = app.test_client()
    login(app, client, user_id)
    for page in ("/profile/", "/profile/edit"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_script_in_name_renders_inert(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s, name=PAYLOAD).id)
    client = app.test_client()
    login(app, client, user_id)
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html


def test_oversized_body_gets_413(client: FlaskClient) -> None:
    response = client.post("/register", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_unknown_page_is_404_with_friendly_page(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_locked_database_answers_503_without_sql(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("UPDATE profiles SET secret", {}, Exception("database is locked"))

    monkeypatch.setattr(profiles, "update_profile", locked)
    response = client.post("/profile/edit", data={"headline": "Hi"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    body = response.get_data(as_text=True)
    assert "UPDATE" not in body and "locked" not in body


@pytest.mark.parametrize("url", [
    "/programs/99999999999999999999", "/programs/99999999999999999999/enrol",
    "/programs/enrolments/2147483648", "/admin/programs/99999999999999999999",
    "/programs/0", "/programs/-1", "/programs/abc",
])
def test_impossible_ids_are_404_not_errors(app: Flask, url: str) -> None:
    user_id = create(app, lambda s: make_user(s, is_admin=True).id)
    client = app.test_client()
    login(app, client, user_id)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("url", "data"), [
    ("/profile/edit", {"headline": "a\x00b"}),
    ("/register", {"name": "Nul", "email": "x\x00@example.org", "password": "abc\x00defghijklmnop"}),
    ("/login", {"email": "x\x00@example.org", "password": "whatever it is"}),
    ("/login?next=/\x00", {"email": "a@example.org", "password": "whatever it is"}),
])
def test_nul_characters_are_refused_and_nothing_is_stored(app: Flask, url: str,
                                                          data: dict[str, str]) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    assert client.post(url, data=data).status_code == 400
    assert users(app) == 1


def test_unreachable_database_answers_503(tmp_path) -> None:  # noqa: ANN001
    from tests.helpers import make_app
    app = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}")
    response = app.test_client().get("/login")
    assert response.status_code == 200  # pages that need no database still work
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "sqlite" not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("field", ["goals", "skills_to_grow"])
def test_script_in_an_enrolment_renders_inert(app: Flask, field: str) -> None:
    from tests.factories import make_enrolment, make_program

    def build(session):  # noqa: ANN001, ANN202
        user = make_user(session)
        program = make_program(session)
        value = [PAYLOAD] if field == "skills_to_grow" else PAYLOAD
        make_enrolment(session, user, program, **{field: value})
        return user.id, program.id
    user_id, program_id = create(app, build)
    client = app.test_client()
    login(app, client, user_id)
    for page in ("/", f"/programs/{program_id}"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
