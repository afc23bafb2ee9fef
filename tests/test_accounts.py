"""Sign-up, sign-in, sign-out and password changes, as a person meets them."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import LoginSession, User
from tests.factories import PASSWORD, create, login, make_user

GOOD = {"name": "Ada Lovelace", "email": "ada@example.org", "password": "analytical engine 1843"}


def user_count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(User))


def test_registration_creates_account_and_asks_to_sign_in(app: Flask, client: FlaskClient) -> None:
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/profile/edit")
    assert user_count(app) == 1
    page = client.post("/login?next=/profile/edit",
                       data={"email": "ADA@example.org ", "password": GOOD["password"]})
    assert page.headers["Location"] == "/profile/edit"
    assert client.get("/profile/edit").status_code == 200


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "This field is required."),
    ("name", "x" * 121, "Use at most 120 characters."),
    ("email", "not-an-email", "Enter a valid email address"),
    ("email", "", "This field is required."),
    ("password", "short pw 1", "Use at least 12 characters."),
    ("password", "p" * 129, "Use at most 128 characters."),
    ("password", "qwerty123456", "common passwords"),
    ("password", "aaaaaaaaaaaaaaaa", "password"),
    ("password", "ada@example.org", "too easy to guess"),
])
def test_bad_registration_shows_message_at_field_and_saves_nothing(
        app: Flask, client: FlaskClient, field: str, value: str, message: str) -> None:
    response = client.post("/register", data=GOOD | {field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert user_count(app) == 0


def test_unicode_password_is_accepted(app: Flask, client: FlaskClient) -> None:
    response = client.post("/register", data=GOOD | {"password": "Grüße aus Köln 🌧️ und Zürich"})
    assert response.status_code == 302
    assert user_count(app) == 1


def test_taken_email_in_any_case_looks_like_a_new_sign_up(app: Flask, client: FlaskClient) -> None:
    first = client.post("/register", data=GOOD)
    second = client.post("/register", data=GOOD | {"email": "ADA@EXAMPLE.ORG", "name": "Eve"})
    assert second.status_code == first.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert user_count(app) == 1


def test_login_failure_is_generic_for_wrong_password_and_unknown_email(
        app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="known@example.org"))
    wrong = client.post("/login", data={"email": "known@example.org", "password": "wrong password!!"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 422
    for response in (wrong, unknown):
        assert "Email or password is not right." in response.get_data(as_text=True)


def test_login_starts_a_fresh_session(app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="fresh@example.org"))
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
    client.post("/login", data={"email": "fresh@example.org", "password": PASSWORD})
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie["_user_id"]


def test_copied_cookie_is_useless_after_logout(app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="copy@example.org"))
    client.post("/login", data={"email": "copy@example.org", "password": PASSWORD})
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/profile/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_signs_out_other_devices(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    laptop, phone = app.test_client(), app.test_client()
    login(app, laptop, user_id)
    login(app, phone, user_id)
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase 77"})
    assert response.status_code == 302
    assert laptop.get("/profile/").status_code == 200
    assert phone.get("/profile/").status_code == 302
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(LoginSession)) == 1


def test_password_change_needs_the_current_password(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    response = client.post("/account/password", data={
        "current_password": "not my password", "new_password": "a brand new passphrase 77"})
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_repeated_bad_logins_are_throttled_with_retry_after(app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="target@example.org"))
    statuses = [client.post("/login", data={"email": "target@example.org",
                                            "password": f"guess number {i}"}).status_code
                for i in range(6)]
    assert statuses == [422] * 5 + [429]
    blocked = client.post("/login", data={"email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_throttle_counts_per_address_across_accounts(app: Flask, client: FlaskClient) -> None:
    limit = app.config["THROTTLE_SIGN_IN_PER_ADDRESS"]
    statuses = [client.post("/login", data={"email": f"spray{i}@example.org",
                                            "password": "guessing again"}).status_code
                for i in range(limit + 1)]
    assert statuses[-1] == 429
    assert set(statuses[:limit]) == {422}


def test_remember_me_is_bounded_to_14_days(app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="remember@example.org"))
    response = client.post("/login", data={"email": "remember@example.org",
                                           "password": PASSWORD, "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token"))
    assert "Max-Age=1209600" in cookie or "Expires=" in cookie
    with app.app_context():
        row = get_session().scalars(select(LoginSession)).one()
        assert (row.expires_at - row.created_at).days == 14


@pytest.mark.parametrize("target", [
    "//evil.example", "\\\\evil.example", "/\\evil.example", "https://evil.example",
    "javascript:alert(1)", "http:/evil.example", "/%0d%0aLocation:evil", " //evil.example",
])
def test_next_never_leaves_the_site(app: Flask, client: FlaskClient, target: str) -> None:
    create(app, lambda s: make_user(s, email="nav@example.org"))
    response = client.post("/login", query_string={"next": target},
                           data={"email": "nav@example.org", "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//"))
    assert "evil" not in location or location.startswith("/%")


def test_next_keeps_a_relative_path(app: Flask, client: FlaskClient) -> None:
    create(app, lambda s: make_user(s, email="next@example.org"))
    response = client.post("/login?next=/programs/", data={"email": "next@example.org",
                                                           "password": PASSWORD})
    assert response.headers["Location"] == "/programs/"


def test_anonymous_is_redirected_to_login_with_relative_next(client: FlaskClient) -> None:
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/"


def test_account_email_change_refuses_someone_elses_email(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        make_user(session, email="taken@example.org")
        return make_user(session, email="me@example.org").id
    user_id = create(app, build)
    client = app.test_client()
    login(app, client, user_id)
    response = client.post("/account/", data={"name": "Me", "email": "TAKEN@example.org",
                                              "current_password": PASSWORD})
    assert response.status_code == 422
    with app.app_context():
        assert get_session().get(User, user_id).email == "me@example.org"


def test_html_sign_ups_are_throttled_per_address(app: Flask, client: FlaskClient) -> None:
    limit = app.config["THROTTLE_SIGN_UP_PER_ADDRESS"]
    for n in range(limit):
        assert client.post("/register", data=GOOD | {"email": f"p{n}@example.org"}).status_code == 302
    response = client.post("/register", data=GOOD | {"email": "one.more@example.org"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert user_count(app) == limit


@pytest.mark.parametrize("email", ["ß" * 60 + "@" + "ß" * 190 + ".de", "ΐ" * 120 + "@x.de"])
def test_emails_that_grow_when_case_folded_never_break_anything(
        app: Flask, client: FlaskClient, email: str) -> None:
    assert client.post("/register", data=GOOD | {"email": email}).status_code in (302, 422)
    assert client.post("/login", data={"email": email, "password": "whatever it is"}
                       ).status_code == 422


def test_changing_email_needs_the_current_password(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s, email="mine@example.org").id)
    client = app.test_client()
    login(app, client, user_id)
    refused = client.post("/account/", data={"name": "Me", "email": "new@example.org",
                                             "current_password": "not my password"})
    assert refused.status_code == 422
    assert 'id="current_password-error"' in refused.get_data(as_text=True)
    renamed = client.post("/account/", data={"name": "New Name", "email": "mine@example.org"})
    assert renamed.status_code == 302  # the name alone needs no password
    moved = client.post("/account/", data={"name": "New Name", "email": "new@example.org",
                                           "current_password": PASSWORD})
    assert moved.status_code == 302
    with app.app_context():
        user = get_session().get(User, user_id)
        assert (user.name, user.email) == ("New Name", "new@example.org")


def test_guessing_the_current_password_behind_a_session_is_throttled(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s, email="mine@example.org").id)
    client = app.test_client()
    login(app, client, user_id)
    new = {"new_password": "a brand new passphrase 77"}
    statuses = [client.post("/account/password", data={"current_password": f"guess {i}"} | new).status_code
                for i in range(5)]
    statuses.append(client.post("/account/", data={"name": "Me", "email": "new@example.org",
                                                   "current_password": "guess 5"}).status_code)
    assert statuses == [422] * 5 + [429]
    blocked = client.post("/account/password", data={"current_password": PASSWORD} | new)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many tries of your current password" in blocked.get_data(as_text=True)
    with app.app_context():  # even the right password changed nothing while blocked
        user = get_session().get(User, user_id)
        assert user.email == "mine@example.org"
    assert login_with(app, PASSWORD) == 302


def test_saving_the_name_with_a_filled_password_field_is_not_a_guess(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s, email="mine@example.org").id)
    client = app.test_client()
    login(app, client, user_id)
    for i in range(8):  # a browser may autofill the field on every save
        saved = client.post("/account/", data={"name": f"Name {i}", "email": "mine@example.org",
                                               "current_password": "autofilled, wrong"})
        assert saved.status_code == 302
    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase 77"})
    assert changed.status_code == 302


def test_a_correct_current_password_clears_earlier_wrong_ones(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    for i in range(4):
        client.post("/account/password", data={"current_password": f"guess {i}",
                                               "new_password": "a brand new passphrase 77"})
    assert client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase 77"}).status_code == 302
    for i in range(5):
        assert client.post("/account/password", data={
            "current_password": f"guess {i}", "new_password": "another passphrase 8899"}).status_code == 422


def login_with(app: Flask, password: str) -> int:
    """Status of a fresh sign-in of the test user with ``password``."""
    return app.test_client().post("/login", data={"email": "mine@example.org",
                                                  "password": password}).status_code
