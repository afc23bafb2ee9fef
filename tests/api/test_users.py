"""Sign-up, the caller's account view, and profile edits."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy.orm import Session

from mentorship.models import ApiToken, Profile, Role, User
from tests.api.helpers import bearer, count, fetch
from tests.factories import PASSWORD, create, login, make_enrolment, make_program, make_user

GOOD_PROFILE = {"headline": "Backend engineer", "bio": "I build APIs.", "languages": "en, de",
                "timezone": "Europe/Berlin", "years_experience": 7, "industry": "Fintech",
                "skills": ["python", "sql"]}
SIGN_UP = {"name": "Grace Hopper", "email": "grace@example.test", "password": PASSWORD}


def sign_up(client: FlaskClient, **changes: object):  # noqa: ANN201
    return client.post("/api/v1/users", json=SIGN_UP | changes)


def test_sign_up_creates_an_account_without_a_token(app: Flask, client: FlaskClient) -> None:
    response = sign_up(client)
    assert response.status_code == 201
    assert response.json["status"] == "created"
    assert "token" not in response.json
    assert count(app, User, User.email_normalized == "grace@example.test") == 1
    assert count(app, ApiToken) == 0
    token = client.post("/api/v1/tokens", json={"email": "grace@example.test",
                                                "password": PASSWORD})
    assert token.status_code == 201


@pytest.mark.parametrize("email", ["grace@example.test", "GRACE@Example.TEST",
                                   "  grace@example.test "])
def test_a_taken_email_gets_the_same_answer_and_changes_nothing(
        app: Flask, client: FlaskClient, email: str) -> None:
    first = sign_up(client)
    again = sign_up(client, email=email, name="Impostor")
    assert (again.status_code, again.json) == (first.status_code, first.json)
    assert count(app, User) == 1
    assert count(app, User, User.name == "Impostor") == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": 7}, "name"),
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"email": None}, "email"),
    ({"password": "short"}, "password"),
    ({"password": "password1234"}, "password"),
    ({"password": "grace@example.test"}, "password"),
    ({"password": 123456789012345}, "password"),
    ({"password": "x" * 129}, "password"),
    ({"is_admin": True}, "is_admin"),
    ({"id": 1}, "id"),
    ({"role": "admin"}, "role"),
    ({"nickname": "g"}, "nickname"),
])
def test_bad_sign_ups_are_422_and_create_nothing(app: Flask, client: FlaskClient,
                                                 changes: dict[str, object], field: str) -> None:
    response = sign_up(client, **changes)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(app, User) == 0


def test_missing_fields_are_each_named(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json={})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"name", "email", "password"}


def test_sign_ups_from_one_address_are_throttled(app: Flask, client: FlaskClient) -> None:
    limit = app.config["THROTTLE_SIGN_UP_PER_ADDRESS"]
    for n in range(limit):
        assert sign_up(client, email=f"person{n}@example.test").status_code == 201
    response = sign_up(client, email="one-more@example.test")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert count(app, User) == limit


def test_me_shows_account_profile_and_enrolments(app: Flask, client: FlaskClient) -> None:
    def build(session: Session) -> tuple[int, int, int]:
        user = make_user(session, name="Ada", email="ada@example.test")
        user.profile.headline = "Engineer"
        program = make_program(session, name="Spring cohort")
        mentee = make_enrolment(session, user, program, Role.MENTEE)
        make_enrolment(session, make_user(session), program)
        return user.id, program.id, mentee.id
    user_id, program_id, enrolment_id = create(app, build)
    response = client.get("/api/v1/me", headers=bearer(app, user_id))
    assert response.status_code == 200
    assert response.json["account"] == {"id": user_id, "name": "Ada",
                                        "email": "ada@example.test", "is_admin": False}
    assert response.json["profile"]["headline"] == "Engineer"
    assert response.json["enrolments"] == [{
        "id": enrolment_id, "program_id": program_id, "program_name": "Spring cohort",
        "role": "mentee", "goals": "Grow as an engineer", "skills_to_grow": ["python"],
        "version": 1}]


def test_me_works_with_the_session_cookie(app: Flask, client: FlaskClient, member: int) -> None:
    login(app, client, member)
    assert client.get("/api/v1/me").json["account"]["id"] == member


def test_me_needs_sign_in(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_profile_update_is_partial(app: Flask, client: FlaskClient, member: int,
                                   auth: dict[str, str]) -> None:
    response = client.patch("/api/v1/me/profile", headers=auth, json=GOOD_PROFILE)
    assert response.status_code == 200
    assert response.json["timezone"] == "Europe/Berlin"
    assert response.json["languages"] == ["en", "de"]
    second = client.patch("/api/v1/me/profile", headers=auth, json={"headline": "Lead"})
    assert second.json["headline"] == "Lead"
    assert second.json["bio"] == GOOD_PROFILE["bio"]
    assert fetch(app, Profile, member).years_experience == 7


def test_profile_update_needs_sign_in(app: Flask, client: FlaskClient) -> None:
    response = client.patch("/api/v1/me/profile", json={"headline": "x"})
    assert response.status_code == 401
    assert count(app, Profile, func.length(Profile.headline) > 0) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("headline", "x" * 141),
    ("headline", 12),
    ("bio", "x" * 4001),
    ("bio", {"text": "x"}),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", 1),
    ("years_experience", "ten"),
    ("years_experience", True),
    ("years_experience", -1),
    ("years_experience", 71),
    ("years_experience", 2.5),
    ("years_experience", 10**40),
    ("languages", ["en", "klingon"]),
    ("languages", [1, 2]),
    ("skills", ["x" * 61]),
    ("skills", [f"skill {n}" for n in range(31)]),
    ("skills", {"python": True}),
    ("industry", "x" * 81),
])
def test_bad_profile_values_are_422_and_change_nothing(
        app: Flask, client: FlaskClient, member: int, auth: dict[str, str],
        field: str, value: object) -> None:
    response = client.patch("/api/v1/me/profile", headers=auth,
                            json={"headline": "Would change", field: value})
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == [field]
    profile = fetch(app, Profile, member)
    assert (profile.headline, profile.timezone, profile.skills) == ("", None, [])
