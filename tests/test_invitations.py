"""The set-password link an imported person gets: works once, then signs them in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from mentorship.db import get_session
from mentorship.models import OutboxEmail, PasswordToken, User, utcnow
from mentorship.services import accounts
from tests.factories import create, make_program
from tests.test_imports import run

NEW_PASSWORD = "copper kettle harbour 77"


@pytest.fixture
def invited(app: Flask) -> str:
    """The set-password path emailed to Ada, who was just imported."""
    program_id = create(app, lambda s: make_program(s, name="Spring Cohort").id)
    assert run(app, program_id, "name,email,role\nAda Lovelace,ada@example.org,mentee\n").applied
    with app.app_context():
        body = get_session().scalar(select(OutboxEmail.body))
    found = re.search(r"https://mentor\.example(/set-password/[\w-]+)", body)
    assert found
    return found.group(1)


def ada_can_sign_in_with(app: Flask, password: str) -> bool:
    with app.app_context():
        return accounts.password_matches(
            accounts.user_by_email(get_session(), "ada@example.org"), password)


def test_an_imported_account_cannot_sign_in_before_setting_a_password(app: Flask,
                                                                      invited: str) -> None:
    assert not ada_can_sign_in_with(app, "")
    assert not ada_can_sign_in_with(app, "!invited")


def test_the_link_sets_the_password_signs_in_and_works_once(app: Flask, invited: str) -> None:
    client = app.test_client()
    page = client.get(invited)
    assert page.status_code == 200 and "Ada Lovelace" in page.get_data(as_text=True)
    done = client.post(invited, data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert ada_can_sign_in_with(app, NEW_PASSWORD)
    assert client.get("/account/").status_code == 200  # signed in
    assert app.test_client().get("/account/").status_code == 302  # (and not for anyone)
    again = app.test_client().get(invited)
    assert again.status_code == 404
    assert "used already" in again.get_data(as_text=True)
    assert app.test_client().post(invited, data={"password": "another fine phrase 9"}
                                  ).status_code == 404
    assert ada_can_sign_in_with(app, NEW_PASSWORD)


def test_a_weak_password_is_refused_at_the_field_and_the_link_still_works(
        app: Flask, invited: str) -> None:
    client = app.test_client()
    weak = client.post(invited, data={"password": "password1234"})
    assert weak.status_code == 422
    assert "common passwords" in weak.get_data(as_text=True)
    short = client.post(invited, data={"password": "short"})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    assert client.post(invited, data={"password": NEW_PASSWORD}).status_code == 302


def test_an_expired_link_gets_a_clear_410(app: Flask, invited: str) -> None:
    with app.app_context():
        get_session().execute(update(PasswordToken).values(
            expires_at=utcnow() - timedelta(minutes=1)))
        get_session().commit()
    for answer in (app.test_client().get(invited),
                   app.test_client().post(invited, data={"password": NEW_PASSWORD})):
        assert answer.status_code == 410
        assert "expired" in answer.get_data(as_text=True)
    assert not ada_can_sign_in_with(app, NEW_PASSWORD)


def expire(app: Flask) -> None:
    with app.app_context():
        get_session().execute(update(PasswordToken).values(
            expires_at=utcnow() - timedelta(minutes=1)))
        get_session().commit()


def emailed_links(app: Flask) -> list[str]:
    with app.app_context():
        bodies = get_session().scalars(select(OutboxEmail.body).order_by(OutboxEmail.id))
        return [found.group(1) for body in bodies
                for found in [re.search(r"https://mentor\.example(/set-password/[\w-]+)", body)]
                if found]


def test_an_expired_link_offers_a_new_one_by_email_which_works(app: Flask,
                                                               invited: str) -> None:
    app.config["MAIL_SITE_URL"] = "https://mentor.example"
    expire(app)
    client = app.test_client()
    page = client.get(invited).get_data(as_text=True)
    assert "Email me a new link" in page
    answer = client.post(invited + "/renew", headers={"Host": "attacker.example"})
    assert answer.status_code == 302
    links = emailed_links(app)
    assert len(links) == 2 and links[0] == invited and links[1] != invited
    with app.app_context():
        newest = get_session().scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
        assert newest.to_address == "ada@example.org" and "attacker" not in newest.body
    assert client.post(invited + "/renew").status_code == 404  # once per expired link
    assert client.get(invited).status_code == 404
    assert client.post(links[1], data={"password": NEW_PASSWORD}).status_code == 302
    assert ada_can_sign_in_with(app, NEW_PASSWORD)


def test_a_live_link_or_a_set_password_is_not_renewed(app: Flask, invited: str) -> None:
    client = app.test_client()
    assert client.post(invited + "/renew").status_code == 404  # not expired yet
    assert client.post(invited, data={"password": NEW_PASSWORD}).status_code == 302
    assert client.post(invited + "/renew").status_code == 404  # used, so gone
    assert len(emailed_links(app)) == 1


@pytest.mark.parametrize("path", ["/set-password/nonsense", "/set-password/" + "x" * 500])
def test_an_unknown_link_is_a_404_page(client: Flask, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404 and "not valid" in answer.get_data(as_text=True)


def test_only_the_digest_of_the_link_is_stored(app: Flask, invited: str) -> None:
    token = invited.rsplit("/", 1)[1]
    with app.app_context():
        stored = get_session().scalar(select(PasswordToken.token_hash))
        user = get_session().scalar(select(User))
    assert token not in stored and len(stored) == 64
    assert user.password_hash == "!invited"
