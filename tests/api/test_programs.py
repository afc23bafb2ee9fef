"""Programs: everyone reads what they may see; only admins create and edit."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mentorship.models import Program, ProgramStatus, User
from mentorship.services.vocabulary import default_weights
from tests.api.helpers import count, fetch
from tests.factories import create, make_enrolment, make_program

NEW_PROGRAM = {"name": "Autumn cohort", "description": "Engineers helping engineers",
               "starts_on": "2027-09-01", "ends_on": "2027-12-15", "status": "open",
               "weights": {"text": 2, "language": 1.5}, "max_timezone_gap_hours": 6,
               "max_pending_requests": 4}

DEFAULTS = default_weights()  # 60 for text, 10 for each other criterion


@pytest.fixture
def programs(app: Flask, member: int) -> dict[str, int]:
    """An open program, a draft, and a draft the member is enrolled in."""
    def build(session: Session) -> dict[str, int]:
        open_ = make_program(session, name="Open one", starts_on=date(2027, 1, 1))
        draft = make_program(session, name="Draft one", status=ProgramStatus.DRAFT)
        mine = make_program(session, name="My draft", status=ProgramStatus.DRAFT)
        make_enrolment(session, session.get(User, member), mine)
        return {"open": open_.id, "draft": draft.id, "mine": mine.id}
    return create(app, build)


def test_members_see_programs_but_never_drafts(
        client: FlaskClient, auth: dict[str, str], programs: dict[str, int]) -> None:
    """Even a draft they are enrolled in: the list never links to a program that is 404."""
    response = client.get("/api/v1/programs", headers=auth)
    assert response.status_code == 200
    assert {p["id"] for p in response.json["programs"]} == {programs["open"]}
    assert client.get(f"/api/v1/programs/{programs['mine']}", headers=auth).status_code == 404


def test_admins_see_every_program(client: FlaskClient, admin_auth: dict[str, str],
                                  programs: dict[str, int]) -> None:
    response = client.get("/api/v1/programs", headers=admin_auth)
    assert {p["id"] for p in response.json["programs"]} == set(programs.values())


def test_one_program_in_full(client: FlaskClient, auth: dict[str, str],
                             programs: dict[str, int]) -> None:
    response = client.get(f"/api/v1/programs/{programs['open']}", headers=auth)
    assert response.status_code == 200
    assert response.json == {
        "id": programs["open"], "name": "Open one", "description": "A test cohort",
        "starts_on": "2027-01-01", "ends_on": None, "status": "open", "weights": DEFAULTS,
        "max_timezone_gap_hours": None, "max_pending_requests": 3, "request_expiry_days": 7,
        "at_risk_after_days": 21,
        "version": 1}
    assert response.headers["ETag"] == '"1"'


def test_a_draft_is_404_for_members_but_not_for_admins(
        client: FlaskClient, auth: dict[str, str], admin_auth: dict[str, str],
        programs: dict[str, int]) -> None:
    path = f"/api/v1/programs/{programs['draft']}"
    assert client.get(path, headers=auth).status_code == 404
    assert client.get(path, headers=admin_auth).status_code == 200
    assert client.get("/api/v1/programs/999999", headers=admin_auth).status_code == 404


def test_reading_programs_needs_sign_in(client: FlaskClient, programs: dict[str, int]) -> None:
    assert client.get("/api/v1/programs").status_code == 401
    assert client.get(f"/api/v1/programs/{programs['open']}").status_code == 401


def test_admin_creates_a_program(app: Flask, client: FlaskClient,
                                 admin_auth: dict[str, str]) -> None:
    response = client.post("/api/v1/programs", headers=admin_auth, json=NEW_PROGRAM)
    assert response.status_code == 201
    body = response.json
    # Weights not sent keep their default importance (in the same 0-100 scale).
    assert body | {"id": 0} == NEW_PROGRAM | {
        "id": 0, "version": 1, "request_expiry_days": 7, "at_risk_after_days": 21,
        "weights": DEFAULTS | {"text": 2.0, "language": 1.5}}
    assert response.headers["Location"].endswith(f"/api/v1/programs/{body['id']}")
    stored = fetch(app, Program, body["id"])
    assert (stored.name, stored.ends_on) == ("Autumn cohort", date(2027, 12, 15))


def test_a_new_program_needs_only_a_name_and_starts_as_draft(
        client: FlaskClient, admin_auth: dict[str, str]) -> None:
    response = client.post("/api/v1/programs", headers=admin_auth, json={"name": "Minimal"})
    assert response.status_code == 201
    assert (response.json["status"], response.json["max_pending_requests"]) == ("draft", 3)


def test_members_may_not_create_or_edit_programs(app: Flask, client: FlaskClient,
                                                 auth: dict[str, str],
                                                 programs: dict[str, int]) -> None:
    assert client.post("/api/v1/programs", headers=auth, json=NEW_PROGRAM).status_code == 403
    response = client.patch(f"/api/v1/programs/{programs['open']}", headers=auth,
                            json={"name": "Taken over"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert count(app, Program) == 3
    assert fetch(app, Program, programs["open"]).name == "Open one"


def test_anonymous_admin_writes_are_401(app: Flask, client: FlaskClient) -> None:
    assert client.post("/api/v1/programs", json=NEW_PROGRAM).status_code == 401
    assert count(app, Program) == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"description": "x" * 4001}, "description"),
    ({"starts_on": "next monday"}, "starts_on"),
    ({"starts_on": 20270901}, "starts_on"),
    ({"starts_on": "2027-12-01", "ends_on": "2027-01-01"}, "ends_on"),
    ({"status": "archived"}, "status"),
    ({"weights": {"charisma": 1}}, "weights"),
    ({"weights": {"text": 101}}, "weights"),
    ({"weights": {"text": 0, "language": 0, "timezone": 0, "experience": 0, "industry": 0}},
     "weights"),
    ({"weights": {"text": "high"}}, "weights"),
    ({"weights": [1, 2]}, "weights"),
    ({"max_timezone_gap_hours": 27}, "max_timezone_gap_hours"),
    ({"max_pending_requests": 0}, "max_pending_requests"),
    ({"max_pending_requests": "ten"}, "max_pending_requests"),
    ({"max_pending_requests": True}, "max_pending_requests"),
    ({"id": 5}, "id"),
    ({"created_at": "2020-01-01"}, "created_at"),
    ({"owner": "me"}, "owner"),
])
def test_bad_program_input_is_422_and_saves_nothing(
        app: Flask, client: FlaskClient, admin_auth: dict[str, str],
        changes: dict[str, object], field: str) -> None:
    response = client.post("/api/v1/programs", headers=admin_auth, json=NEW_PROGRAM | changes)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(app, Program) == 0


def test_a_missing_name_is_422(app: Flask, client: FlaskClient,
                               admin_auth: dict[str, str]) -> None:
    response = client.post("/api/v1/programs", headers=admin_auth, json={"status": "open"})
    assert response.status_code == 422
    assert "name" in response.json["error"]["fields"]
    assert count(app, Program) == 0


def test_a_duplicate_name_is_refused(app: Flask, client: FlaskClient,
                                     admin_auth: dict[str, str], programs: dict[str, int]) -> None:
    response = client.post("/api/v1/programs", headers=admin_auth,
                           json=NEW_PROGRAM | {"name": "Open one"})
    assert response.status_code == 422
    assert "name" in response.json["error"]["fields"]
    assert count(app, Program) == 3


def test_admin_edits_some_fields(app: Flask, client: FlaskClient, admin_auth: dict[str, str],
                                 programs: dict[str, int]) -> None:
    response = client.patch(f"/api/v1/programs/{programs['draft']}", headers=admin_auth,
                            json={"status": "open", "ends_on": "2027-06-30"})
    assert response.status_code == 200
    assert (response.json["status"], response.json["ends_on"]) == ("open", "2027-06-30")
    stored = fetch(app, Program, programs["draft"])
    assert (stored.name, stored.status) == ("Draft one", ProgramStatus.OPEN)


def test_an_edit_that_breaks_the_dates_changes_nothing(
        app: Flask, client: FlaskClient, admin_auth: dict[str, str],
        programs: dict[str, int]) -> None:
    response = client.patch(f"/api/v1/programs/{programs['open']}", headers=admin_auth,
                            json={"ends_on": "2026-01-01", "description": "Changed"})
    assert response.status_code == 422
    assert fetch(app, Program, programs["open"]).description == "A test cohort"


def test_editing_a_missing_program_is_404(client: FlaskClient,
                                          admin_auth: dict[str, str]) -> None:
    response = client.patch("/api/v1/programs/424242", headers=admin_auth, json={"name": "x"})
    assert response.status_code == 404
