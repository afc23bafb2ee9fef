"""Cookie-authenticated writes need the CSRF header; token-authenticated ones do not."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mentorship.models import Enrolment, Profile
from tests.api.helpers import bearer, count, fetch
from tests.factories import PASSWORD, create, login, make_program, make_user


def page_token(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the HTML page carries a CSRF token for scripts"
    return match.group(1)


def test_cookie_write_without_header_is_refused(csrf_app: Flask) -> None:
    user_id = create(csrf_app, lambda s: make_user(s).id)
    client = csrf_app.test_client()
    login(csrf_app, client, user_id)
    response = client.patch("/api/v1/me/profile", json={"headline": "Hijacked"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert fetch(csrf_app, Profile, user_id).headline == ""


def test_cookie_write_with_the_page_token_succeeds(csrf_app: Flask) -> None:
    user_id = create(csrf_app, lambda s: make_user(s).id)
    client = csrf_app.test_client()
    login(csrf_app, client, user_id)
    response = client.patch("/api/v1/me/profile", json={"headline": "Data engineer"},
                            headers={"X-CSRF-Token": page_token(client)})
    assert response.status_code == 200
    assert fetch(csrf_app, Profile, user_id).headline == "Data engineer"


def test_bearer_write_needs_no_csrf_header(csrf_app: Flask) -> None:
    user_id = create(csrf_app, lambda s: make_user(s).id)
    client = csrf_app.test_client()
    response = client.patch("/api/v1/me/profile", json={"headline": "Data engineer"},
                            headers=bearer(csrf_app, user_id))
    assert response.status_code == 200
    assert fetch(csrf_app, Profile, user_id).headline == "Data engineer"


def test_forged_bearer_does_not_unlock_the_cookie(csrf_app: Flask) -> None:
    """Skipping the CSRF check for bearer requests must not let the cookie authenticate."""
    user_id = create(csrf_app, lambda s: make_user(s).id)
    client = csrf_app.test_client()
    login(csrf_app, client, user_id)
    response = client.patch("/api/v1/me/profile", json={"headline": "Hijacked"},
                            headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert fetch(csrf_app, Profile, user_id).headline == ""


def test_cookie_post_needs_the_header_too(csrf_app: Flask) -> None:
    def build(session: Session) -> tuple[int, int]:
        return make_user(session).id, make_program(session).id
    user_id, program_id = create(csrf_app, build)
    client = csrf_app.test_client()
    login(csrf_app, client, user_id)
    path = f"/api/v1/programs/{program_id}/enrolments"
    assert client.post(path, json={"role": "mentee"}).status_code == 400
    assert count(csrf_app, Enrolment) == 0
    response = client.post(path, json={"role": "mentee"},
                           headers={"X-CSRF-Token": page_token(client)})
    assert response.status_code == 201
    assert count(csrf_app, Enrolment) == 1


def test_clients_without_cookies_can_sign_up_and_get_a_token(csrf_app: Flask) -> None:
    """No cookie means nothing a forged request could ride on, so no header is needed."""
    client = csrf_app.test_client(use_cookies=False)
    body = {"name": "Lin", "email": "lin@example.test", "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201
    response = client.post("/api/v1/tokens", json={"email": "lin@example.test",
                                                   "password": PASSWORD})
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {response.json['token']}"}
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204


def test_a_cookieless_write_without_a_token_is_401(csrf_app: Flask) -> None:
    client = csrf_app.test_client(use_cookies=False)
    assert client.patch("/api/v1/me/profile", json={"headline": "x"}).status_code == 401


def test_a_remember_cookie_alone_still_needs_the_header(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    client.set_cookie("remember_token", "anything")
    response = client.post("/api/v1/tokens", json={"email": "a@example.test",
                                                   "password": PASSWORD})
    assert response.status_code == 400
