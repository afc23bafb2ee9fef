"""Defects found by trying the app as an attacker and as a busy Monday morning would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from mentorship.db import get_session
from mentorship.models import ApiToken, LoginFailure, Profile, User, utcnow
from mentorship.services.accounts import LIVE_API_TOKENS
from mentorship.services.fields import normalize_email
from mentorship.services.ratelimit import key_of
from tests.api.helpers import bearer, count, fetch
from tests.factories import PASSWORD, create, login, make_user

# Passphrases of 73 to 128 characters: the strength estimator stops at 72 by default.
LONG = [("correct horse battery staple orbit " * 4)[:n] for n in (72, 73, 100, 128)]


@pytest.mark.parametrize("password", LONG)
def test_every_promised_password_length_signs_up_on_every_path(app: Flask,
                                                                password: str) -> None:
    client = app.test_client()
    page = client.post("/register", data={"name": "Long", "email": "page@example.org",
                                          "password": password})
    assert page.status_code == 302
    api = client.post("/api/v1/users", json={"name": "Long", "email": "api@example.org",
                                             "password": password})
    assert api.status_code == 201
    assert client.post("/login", data={"email": "page@example.org", "password": password}
                       ).status_code == 302
    user_id = create(app, lambda s: make_user(s, email="changer@example.org").id)
    login(app, client, user_id)
    changed = client.post("/account/password", data={"current_password": PASSWORD,
                                                     "new_password": password})
    assert changed.status_code == 302


def test_129_characters_are_refused_at_the_field(app: Flask) -> None:
    response = app.test_client().post("/register", data={
        "name": "Long", "email": "long@example.org", "password": "x" * 129})
    assert response.status_code == 422
    assert "Use at most 128 characters." in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_a_room_of_correct_sign_ins_from_one_address_never_locks_it(app: Flask) -> None:
    ids = [create(app, lambda s, n=n: make_user(s, email=f"p{n}@example.org").id)
           for n in range(40)]
    client = app.test_client()
    statuses = [client.post("/login", data={"email": f"p{n % len(ids)}@example.org",
                                            "password": PASSWORD}).status_code
                for n in range(400)]
    assert set(statuses) == {302}
    assert count(app, LoginFailure) == 0


def test_an_attempt_whose_request_died_stops_counting(app: Flask) -> None:
    # A correct sign-in that ended in a 503 leaves its attempt in flight, never failed:
    # it counts against simultaneous guesses only while a request could be judging it.
    create(app, lambda s: make_user(s, email="unlucky@example.org"))
    client = app.test_client()
    limit = app.config["THROTTLE_SIGN_IN_PER_ACCOUNT"]
    with app.app_context():
        session = get_session()
        session.add_all([LoginFailure(key="x", failed=False) for _ in range(limit + 3)])
        session.commit()
    wrong = client.post("/login", data={"email": "unlucky@example.org", "password": "nope"})
    assert wrong.status_code == 422  # unrelated keys: only this account's rows count
    with app.app_context():
        session = get_session()
        key = key_of("account", normalize_email("unlucky@example.org"))
        session.add_all([LoginFailure(key=key, failed=False) for _ in range(limit + 3)])
        session.commit()
    assert client.post("/login", data={"email": "unlucky@example.org", "password": PASSWORD}
                       ).status_code == 429  # as many in flight right now: wait
    with app.app_context():
        session = get_session()
        session.execute(update(LoginFailure).where(~LoginFailure.failed)
                        .values(at=utcnow() - timedelta(minutes=2)))
        session.commit()
    assert client.post("/login", data={"email": "unlucky@example.org", "password": PASSWORD}
                       ).status_code == 302


def test_two_tabs_do_not_silently_overwrite_each_other(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    first, second = app.test_client(), app.test_client()
    login(app, first, user_id)
    login(app, second, user_id)
    assert 'name="version" type="hidden" value="1"' in first.get("/profile/edit").get_data(
        as_text=True)
    assert first.post("/profile/edit", data={"headline": "Engineer", "version": "1"}
                      ).status_code == 302
    stale = second.post("/profile/edit", data={"headline": "", "bio": "Hello", "version": "1"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Someone saved this after you opened it" in page and "Headline: Engineer" in page
    assert 'value="2"' in page  # saving again from here is on purpose, and works
    assert fetch(app, Profile, user_id).bio == ""
    again = second.post("/profile/edit", data={"headline": "", "bio": "Hello", "version": "2"})
    assert again.status_code == 302
    assert fetch(app, Profile, user_id).bio == "Hello"


def test_the_api_refuses_a_stale_version_with_409(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client, auth = app.test_client(), bearer(app, user_id)
    current = client.get("/api/v1/me", headers=auth).json["profile"]["version"]
    assert client.patch("/api/v1/me/profile", headers=auth, json={"headline": "A"}
                        ).headers["ETag"] == f'"{current + 1}"'
    stale = client.patch("/api/v1/me/profile", headers=auth | {"If-Match": f'"{current}"'},
                         json={"headline": "B"})
    assert stale.status_code == 409
    assert stale.json["error"]["fields"] == {"headline": "Saved meanwhile as: A"}
    body_stale = client.patch("/api/v1/me/profile", headers=auth,
                              json={"headline": "B", "version": current})
    assert body_stale.status_code == 409
    assert fetch(app, Profile, user_id).headline == "A"


def test_live_api_tokens_per_account_are_capped(app: Flask) -> None:
    create(app, lambda s: make_user(s, email="script@example.org"))
    client = app.test_client()
    tokens = [client.post("/api/v1/tokens", json={"email": "script@example.org",
                                                  "password": PASSWORD}).json["token"]
              for _ in range(LIVE_API_TOKENS + 5)]
    assert count(app, ApiToken) == LIVE_API_TOKENS
    newest = {"Authorization": f"Bearer {tokens[-1]}"}
    oldest = {"Authorization": f"Bearer {tokens[0]}"}
    assert client.get("/api/v1/me", headers=newest).status_code == 200
    assert client.get("/api/v1/me", headers=oldest).status_code == 401
