"""Cookie-authenticated writes need the CSRF header; token-authenticated ones do not."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Profile
from tests.api.helpers import bearer, fetch
from tests.factories import create, login, make_user


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
