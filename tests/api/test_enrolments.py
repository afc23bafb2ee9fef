"""Enrolling in a program as mentee or mentor, and editing your own enrolment."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mentorship.models import Enrolment, ProgramStatus, Role, User
from tests.api.helpers import count, fetch
from tests.factories import create, make_enrolment, make_program, make_user

MENTEE = {"role": "mentee", "goals": "Lead a team within a year",
          "skills_to_grow": ["leadership", "system design"]}
MENTOR = {"role": "mentor", "about": "Ten years of backend work", "expertise": ["python"],
          "capacity": 3, "availability": "open"}


@pytest.fixture
def program(app: Flask) -> int:
    return create(app, lambda s: make_program(s).id)


def enrol(client: FlaskClient, headers: dict[str, str], program_id: int,
          body: dict[str, object]):  # noqa: ANN201
    return client.post(f"/api/v1/programs/{program_id}/enrolments", headers=headers, json=body)


@pytest.mark.parametrize("body", [MENTEE, MENTOR])
def test_enrolment_is_created(app: Flask, client: FlaskClient, member: int,
                              auth: dict[str, str], program: int,
                              body: dict[str, object]) -> None:
    response = enrol(client, auth, program, body)
    assert response.status_code == 201
    assert response.json | {"id": 0} == body | {"id": 0, "program_id": program, "version": 1,
                                                "program_name": response.json["program_name"]}
    stored = fetch(app, Enrolment, response.json["id"])
    assert (stored.user_id, stored.program_id, stored.role.value) == (member, program,
                                                                       body["role"])


def test_a_mentor_gets_default_capacity_and_availability(client: FlaskClient,
                                                         auth: dict[str, str],
                                                         program: int) -> None:
    response = enrol(client, auth, program, {"role": "mentor"})
    assert response.status_code == 201
    assert (response.json["capacity"], response.json["availability"]) == (2, "open")


def test_one_person_may_be_mentee_and_mentor_in_one_program(
        app: Flask, client: FlaskClient, auth: dict[str, str], program: int) -> None:
    assert enrol(client, auth, program, MENTEE).status_code == 201
    assert enrol(client, auth, program, MENTOR).status_code == 201
    assert count(app, Enrolment) == 2


def test_enrolling_twice_in_one_role_is_409(app: Flask, client: FlaskClient,
                                           auth: dict[str, str], program: int) -> None:
    assert enrol(client, auth, program, MENTEE).status_code == 201
    response = enrol(client, auth, program, MENTEE | {"goals": "Other"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert count(app, Enrolment) == 1


@pytest.mark.parametrize("status", [ProgramStatus.RUNNING, ProgramStatus.CLOSED])
def test_a_program_that_is_not_open_is_409(app: Flask, client: FlaskClient,
                                           auth: dict[str, str], status: ProgramStatus) -> None:
    program_id = create(app, lambda s: make_program(s, status=status).id)
    assert enrol(client, auth, program_id, MENTEE).status_code == 409
    assert count(app, Enrolment) == 0


def test_a_draft_or_missing_program_is_404(app: Flask, client: FlaskClient,
                                           auth: dict[str, str]) -> None:
    draft = create(app, lambda s: make_program(s, status=ProgramStatus.DRAFT).id)
    assert enrol(client, auth, draft, MENTEE).status_code == 404
    assert enrol(client, auth, 987654, MENTEE).status_code == 404
    assert count(app, Enrolment) == 0


def test_enrolling_needs_sign_in(app: Flask, client: FlaskClient, program: int) -> None:
    assert enrol(client, {}, program, MENTEE).status_code == 401
    assert count(app, Enrolment) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "admin"}, "role"),
    ({"role": ["mentor"]}, "role"),
    ({}, "role"),
    (MENTOR | {"capacity": 0}, "capacity"),
    (MENTOR | {"capacity": 11}, "capacity"),
    (MENTOR | {"capacity": "ten"}, "capacity"),
    (MENTOR | {"capacity": True}, "capacity"),
    (MENTOR | {"capacity": 2.5}, "capacity"),
    (MENTOR | {"capacity": None}, "capacity"),
    (MENTOR | {"availability": "sometimes"}, "availability"),
    (MENTOR | {"about": "x" * 4001}, "about"),
    (MENTOR | {"expertise": "x" * 61}, "expertise"),
    (MENTEE | {"goals": 42}, "goals"),
    (MENTEE | {"skills_to_grow": [1]}, "skills_to_grow"),
    (MENTEE | {"capacity": 2}, "capacity"),
    (MENTOR | {"goals": "Become a manager"}, "goals"),
    (MENTEE | {"user_id": 1}, "user_id"),
    (MENTEE | {"program_id": 2}, "program_id"),
    (MENTEE | {"id": 1}, "id"),
    (MENTEE | {"mood": "great"}, "mood"),
])
def test_bad_enrolments_are_422_and_save_nothing(
        app: Flask, client: FlaskClient, auth: dict[str, str], program: int,
        body: dict[str, object], field: str) -> None:
    response = enrol(client, auth, program, body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(app, Enrolment) == 0


@pytest.fixture
def enrolments(app: Flask, member: int, program: int) -> dict[str, int]:
    """The member's mentee and mentor enrolments, and someone else's."""
    def build(session: Session) -> dict[str, int]:
        user, program_row = session.get(User, member), make_program(session)
        return {
            "mentee": make_enrolment(session, user, program_row).id,
            "mentor": make_enrolment(session, user, program_row, Role.MENTOR).id,
            "other": make_enrolment(session, make_user(session), program_row).id,
        }
    return create(app, build)


def edit(client: FlaskClient, headers: dict[str, str], enrolment_id: int,
         body: dict[str, object]):  # noqa: ANN201
    return client.patch(f"/api/v1/enrolments/{enrolment_id}", headers=headers, json=body)


def test_own_enrolment_is_edited(app: Flask, client: FlaskClient, auth: dict[str, str],
                                 enrolments: dict[str, int]) -> None:
    response = edit(client, auth, enrolments["mentor"], {"capacity": 5,
                                                         "availability": "paused"})
    assert response.status_code == 200
    assert (response.json["capacity"], response.json["availability"]) == (5, "paused")
    assert response.json["about"] == "I help engineers grow"
    stored = fetch(app, Enrolment, enrolments["mentor"])
    assert (stored.capacity, stored.availability.value) == (5, "paused")


def test_someone_elses_enrolment_is_404(app: Flask, client: FlaskClient, auth: dict[str, str],
                                        enrolments: dict[str, int]) -> None:
    response = edit(client, auth, enrolments["other"], {"goals": "Hijacked"})
    assert response.status_code == 404
    assert edit(client, auth, 555555, {"goals": "x"}).status_code == 404
    assert fetch(app, Enrolment, enrolments["other"]).goals == "Grow as an engineer"


@pytest.mark.parametrize(("which", "body", "field"), [
    ("mentor", {"capacity": 0}, "capacity"),
    ("mentor", {"capacity": 11}, "capacity"),
    ("mentor", {"capacity": "ten"}, "capacity"),
    ("mentor", {"capacity": True}, "capacity"),
    ("mentor", {"goals": "x"}, "goals"),
    ("mentee", {"capacity": 3}, "capacity"),
    ("mentee", {"role": "mentor"}, "role"),
    ("mentee", {"user_id": 99}, "user_id"),
    ("mentee", {"program_id": 99}, "program_id"),
    ("mentee", {"goals": "x" * 4001}, "goals"),
])
def test_bad_edits_are_422_and_change_nothing(
        app: Flask, client: FlaskClient, member: int, auth: dict[str, str],
        enrolments: dict[str, int], which: str, body: dict[str, object], field: str) -> None:
    before = fetch(app, Enrolment, enrolments[which])
    valid = {"about": "Changed"} if which == "mentor" else {"skills_to_grow": ["changed"]}
    response = edit(client, auth, enrolments[which], valid | body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    after = fetch(app, Enrolment, enrolments[which])
    assert (after.role, after.user_id, after.program_id, after.capacity, after.goals,
            after.about, after.skills_to_grow) == (
        before.role, member, before.program_id, before.capacity, before.goals, before.about,
        before.skills_to_grow)


def test_editing_needs_sign_in(client: FlaskClient, enrolments: dict[str, int]) -> None:
    assert edit(client, {}, enrolments["mentee"], {"goals": "x"}).status_code == 401
