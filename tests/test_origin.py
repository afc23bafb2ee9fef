"""State changes sent from another site's page are refused, even with a valid CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Profile
from tests.api.helpers import bearer, fetch
from tests.factories import create, login, make_user
from tests.helpers import app_on

SITE = "http://localhost"  # where the test client sends its requests
FOREIGN = "https://evil.example"


def signed_in(app: Flask) -> tuple[FlaskClient, int, str]:
    """A signed-in client, its user id, and the CSRF token of its session."""
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    return client, user_id, token


def patch_headline(client: FlaskClient, token: str, **headers: str) -> int:
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    return client.patch("/api/v1/me/profile", json={"headline": "Changed"},
                        headers={"X-CSRF-Token": token} | headers).status_code


def test_foreign_origin_is_refused_despite_a_valid_token(csrf_app: Flask) -> None:
    client, user_id, token = signed_in(csrf_app)
    assert patch_headline(client, token, Origin=FOREIGN) == 400
    assert fetch(csrf_app, Profile, user_id).headline == ""


def test_own_origin_is_accepted(csrf_app: Flask) -> None:
    client, user_id, token = signed_in(csrf_app)
    assert patch_headline(client, token, Origin=SITE) == 200
    assert fetch(csrf_app, Profile, user_id).headline == "Changed"


@pytest.mark.parametrize("origin", ["null", "http://localhost:8080", "https://localhost",
                                    "http://localhost.evil.example", "not a url", ""])
def test_other_or_opaque_origins_are_refused(csrf_app: Flask, origin: str) -> None:
    client, user_id, token = signed_in(csrf_app)
    assert patch_headline(client, token, Origin=origin) == 400
    assert fetch(csrf_app, Profile, user_id).headline == ""


def test_without_origin_the_referer_decides(csrf_app: Flask) -> None:
    client, user_id, token = signed_in(csrf_app)
    assert patch_headline(client, token, Referer=f"{FOREIGN}/page") == 400
    assert fetch(csrf_app, Profile, user_id).headline == ""
    assert patch_headline(client, token, Referer=f"{SITE}/profile?x=1") == 200


def test_origin_wins_over_referer(csrf_app: Flask) -> None:
    client, _, token = signed_in(csrf_app)
    assert patch_headline(client, token, Origin=FOREIGN, Referer=f"{SITE}/") == 400


def test_without_origin_and_referer_the_token_decides(csrf_app: Flask) -> None:
    client, user_id, token = signed_in(csrf_app)
    assert patch_headline(client, "forged") == 400
    assert patch_headline(client, token) == 200
    assert fetch(csrf_app, Profile, user_id).headline == "Changed"


def test_bearer_requests_are_exempt(csrf_app: Flask) -> None:
    user_id = create(csrf_app, lambda s: make_user(s).id)
    response = csrf_app.test_client().patch(
        "/api/v1/me/profile", json={"headline": "Changed"},
        headers=bearer(csrf_app, user_id) | {"Origin": FOREIGN})
    assert response.status_code == 200


def test_foreign_form_post_gets_the_html_csrf_page(csrf_app: Flask) -> None:
    client, _, token = signed_in(csrf_app)
    response = client.post("/logout", data={"csrf_token": token},
                           headers={"Origin": FOREIGN})
    assert response.status_code == 400
    assert "not sent from this site" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 200  # still signed in


@pytest.fixture
def proxied_app(database_url: str) -> Iterator[Flask]:
    yield from app_on(database_url, CSRF_ENABLED=True, PROXY_COUNT=1)


def test_behind_a_proxy_the_forwarded_scheme_is_the_site(proxied_app: Flask) -> None:
    client, _, token = signed_in(proxied_app)
    https = {"X_Forwarded_Proto": "https"}
    assert patch_headline(client, token, Origin="https://localhost", **https) == 200
    assert patch_headline(client, token, Origin="http://localhost", **https) == 400


@pytest.mark.parametrize("trusted", [["https://mentoring.example.org"],
                                     "https://mentoring.example.org, https://other.example"])
def test_trusted_origins_are_accepted(database_url: str, trusted: object) -> None:
    for app in app_on(database_url, CSRF_ENABLED=True, TRUSTED_ORIGINS=trusted):
        client, _, token = signed_in(app)
        assert patch_headline(client, token, Origin="https://mentoring.example.org") == 200
        assert patch_headline(client, token, Origin=FOREIGN) == 400
