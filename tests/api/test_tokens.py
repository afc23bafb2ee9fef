"""Personal API tokens: issue, use, revoke, and the throttle on guessing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from mentorship.db import get_session
from mentorship.models import ApiToken, LoginFailure, utcnow
from mentorship.security import token_digest
from mentorship.services.accounts import WRONG_CREDENTIALS as GENERIC_LOGIN_ERROR
from mentorship.services.fields import normalize_email
from mentorship.services.ratelimit import key_of
from mentorship.settings import THROTTLE_LIMITS
from tests.api.helpers import bearer, count
from tests.factories import PASSWORD, create, login, make_user

MAX_PER_ACCOUNT = THROTTLE_LIMITS["THROTTLE_SIGN_IN_PER_ACCOUNT"]


@pytest.fixture
def person(app: Flask) -> int:
    return create(app, lambda s: make_user(s, email="Ada@Example.test").id)


def ask(client: FlaskClient, email: str = "ada@example.test", password: str = PASSWORD):  # noqa: ANN201
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def test_token_is_issued_stored_hashed_and_works(app: Flask, client: FlaskClient,
                                                 person: int) -> None:
    response = ask(client, email="ADA@example.test")
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["expires_at"].endswith("Z")
    assert count(app, ApiToken, ApiToken.token_hash == token_digest(token)) == 1
    assert count(app, ApiToken, ApiToken.token_hash == token) == 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["account"]["id"] == person


@pytest.mark.parametrize(("email", "password"), [
    ("ada@example.test", "not the password at all"),
    ("nobody@example.test", PASSWORD),
])
def test_wrong_credentials_get_one_generic_401_and_are_counted(
        app: Flask, client: FlaskClient, person: int, email: str, password: str) -> None:
    response = ask(client, email, password)
    assert response.status_code == 401
    assert response.json["error"]["message"] == GENERIC_LOGIN_ERROR
    assert count(app, ApiToken) == 0
    account_key = key_of("account", normalize_email(email))
    assert count(app, LoginFailure, LoginFailure.key == account_key) == 1


def test_repeated_failures_are_throttled_with_retry_after(app: Flask, client: FlaskClient,
                                                          person: int) -> None:
    for _ in range(MAX_PER_ACCOUNT):
        assert ask(client, password="wrong guess here").status_code == 401
    response = ask(client)  # even the right password waits now
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "too_many_requests"
    assert count(app, ApiToken) == 0


def test_success_clears_the_failure_count(app: Flask, client: FlaskClient, person: int) -> None:
    for _ in range(MAX_PER_ACCOUNT - 1):
        ask(client, password="wrong guess here")
    assert ask(client).status_code == 201
    assert ask(client, password="wrong guess here").status_code == 401
    assert ask(client).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"password": PASSWORD}, "email"),
    ({"email": "ada@example.test"}, "password"),
    ({"email": 42, "password": PASSWORD}, "email"),
    ({"email": "ada@example.test", "password": ["x"]}, "password"),
    ({"email": "a" * 300 + "@example.test", "password": PASSWORD}, "email"),
    ({"email": "ada@example.test", "password": "x" * 10_000}, "password"),
    ({"email": "ada@example.test", "password": PASSWORD, "remember": True}, "remember"),
])
def test_malformed_credentials_are_422(app: Flask, client: FlaskClient, person: int,
                                       body: dict[str, object], field: str) -> None:
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(app, ApiToken) == 0


def test_revoked_token_is_refused(app: Flask, client: FlaskClient, person: int) -> None:
    headers = bearer(app, person)
    other = bearer(app, person)
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200  # only that one
    assert count(app, ApiToken) == 1


def test_revoking_needs_a_token_not_a_cookie(app: Flask, client: FlaskClient,
                                            person: int) -> None:
    bearer(app, person)
    login(app, client, person)
    assert client.delete("/api/v1/tokens/current").status_code == 400
    assert count(app, ApiToken) == 1


def test_expired_token_is_refused(app: Flask, client: FlaskClient, person: int) -> None:
    headers = bearer(app, person)
    with app.app_context():
        get_session().execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        get_session().commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer ", "Basic YTpi",
                                    "Token abc"])
def test_bad_authorization_is_401_even_with_a_valid_cookie(
        app: Flask, client: FlaskClient, person: int, header: str) -> None:
    login(app, client, person)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_401(client: FlaskClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.delete("/api/v1/tokens/current").status_code == 401


def test_answers_are_not_cached(client: FlaskClient, person: int) -> None:
    assert ask(client).headers["Cache-Control"] == "no-store"
