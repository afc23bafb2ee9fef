"""Ids, numbers and names accept only what they promise: ASCII digits, visible text."""

from __future__ import annotations

import pytest
from flask import Flask

from mentorship.models import Program, Role
from tests.api.helpers import fetch
from tests.factories import create, login, make_enrolment, make_program, make_user


@pytest.fixture
def member(app: Flask):  # noqa: ANN201
    def build(session):  # noqa: ANN001, ANN202
        user = make_user(session)
        program = make_program(session, name="Cohort")
        enrolment = make_enrolment(session, user, program, Role.MENTOR)
        return user.id, program.id, enrolment.id
    user_id, program_id, enrolment_id = create(app, build)
    client = app.test_client()
    login(app, client, user_id)
    return client, program_id, enrolment_id


@pytest.mark.parametrize("spelling", ["0{}", "\uff11", "\u0661", "+{}", "{}.0"])
def test_an_id_has_one_spelling(member, spelling: str) -> None:  # noqa: ANN001
    client, program_id, _ = member
    assert client.get(f"/programs/{program_id}").status_code == 200
    odd = spelling.format(program_id) if "{}" in spelling else spelling
    assert client.get(f"/programs/{odd}").status_code == 404


@pytest.mark.parametrize("capacity", ["\uff13", "1_0", "\u0663", "3.0", " 3 4", "0x3"])
def test_numbers_are_ascii_digits_only(app: Flask, member, capacity: str) -> None:  # noqa: ANN001
    client, _, enrolment_id = member
    response = client.post(f"/programs/enrolments/{enrolment_id}",
                           data={"role": "mentor", "capacity": capacity, "availability": "open"})
    assert response.status_code == 422
    assert "whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["\u200b", "\ufeff\u200b", " \u2060 ", "\u3164", "\u200d\u200c"])
def test_a_name_that_shows_nothing_is_blank(app: Flask, name: str) -> None:
    admin_id = create(app, lambda s: make_user(s, is_admin=True).id)
    admin = app.test_client()
    login(app, admin, admin_id)
    response = admin.post("/admin/programs/new", data={"name": name, "status": "draft",
                                                       "max_pending_requests": "3"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    sign_up = app.test_client().post("/api/v1/users", json={
        "name": name, "email": "ghost@example.org", "password": "a long enough passphrase 9"})
    assert sign_up.status_code == 422
    assert sign_up.json["error"]["fields"] == {"name": "This field is required."}


def test_invisible_characters_inside_visible_text_are_kept(app: Flask) -> None:
    admin_id = create(app, lambda s: make_user(s, is_admin=True).id)
    admin = app.test_client()
    login(app, admin, admin_id)
    assert admin.post("/admin/programs/new", data={
        "name": "Data\u200bScience", "status": "draft", "max_pending_requests": "3"}
    ).status_code == 302
    assert fetch(app, Program, 1).name == "Data\u200bScience"
