"""The audit log: admin actions are recorded with who, what and when; it only grows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import InvalidRequestError

from mentorship.db import get_session
from mentorship.models import AppendOnly, AuditEntry, Pairing, Program, User
from mentorship.services import audit
from tests.api.helpers import bearer, count
from tests.factories import create, login, make_program, make_user
from tests.flows import mentee, mentor, paired


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Spring")
        pairing = paired(session, mentee(session, program, "Ada"), mentor(session, program, "Grace"))
        return {"program": program.id, "pairing": pairing.id,
                "admin": make_user(session, name="Alice Admin", is_admin=True).id,
                "member": make_user(session, name="Mo Member").id}
    return create(app, build)


def test_program_edits_and_ending_a_pair_are_logged(app: Flask, world: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, world["admin"])
    headers = bearer(app, world["admin"])
    assert client.patch(f"/api/v1/programs/{world['program']}", headers=headers,
                        json={"description": "New words"}).status_code == 200
    assert client.post(f"/admin/programs/{world['program']}/pairings/{world['pairing']}/end",
                       data={"reason": "program_ended", "note": ""}).status_code == 302
    page = client.get(f"/admin/programs/{world['program']}/audit").get_data(as_text=True)
    assert "Edited the program" in page and "description" in page
    assert "Ended a mentorship" in page and f"pairing:{world['pairing']}" in page
    assert "Alice Admin" in page
    listed = client.get(f"/api/v1/admin/programs/{world['program']}/audit",
                        headers=headers).get_json()["entries"]
    assert [e["action"] for e in listed] == ["pairing_ended", "program_edited"]


def test_a_participant_ending_their_own_pairing_is_not_an_admin_action(
        app: Flask, world: dict[str, int]) -> None:
    def end(session: Any) -> None:
        from mentorship.services import pairings
        item = session.get(Pairing, world["pairing"])
        pairings.end_pairing(session, item, item.mentee.user, "goals_met")
    create(app, end)
    assert count(app, AuditEntry) == 0


def test_entries_cannot_be_changed_or_removed(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        db = get_session()
        entry = audit.record(db, db.get(User, world["admin"]), audit.Action.PROGRAM_EDITED,
                             program_id=world["program"])
        db.commit()
        entry.target = "rewritten"
        with pytest.raises(AppendOnly):
            db.flush()
        db.rollback()
        db.delete(db.get(AuditEntry, entry.id))
        with pytest.raises((AppendOnly, InvalidRequestError)):
            db.flush()
        db.rollback()
    assert count(app, AuditEntry) == 1


def test_only_admins_read_it(app: Flask, world: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, world["member"])
    assert client.get(f"/admin/programs/{world['program']}/audit").status_code == 403
    answer = app.test_client().get(f"/api/v1/admin/programs/{world['program']}/audit",
                                   headers=bearer(app, world["member"]))
    assert answer.status_code == 403
    assert app.test_client().get(f"/admin/programs/{world['program']}/audit").status_code == 302


def test_created_programs_name_their_creator(app: Flask, world: dict[str, int]) -> None:
    client = app.test_client()
    made = client.post("/api/v1/programs", headers=bearer(app, world["admin"]),
                       json={"name": "Autumn"})
    assert made.status_code == 201
    with app.app_context():
        entry = get_session().query(AuditEntry).one()
        program = get_session().get(Program, made.get_json()["id"])
        assert (entry.action, entry.program_id, entry.actor_name) == (
            "program_created", program.id, "Alice Admin")


@pytest.mark.parametrize("before", ["99999999999", "5"])
def test_any_cursor_pages_without_error(app: Flask, world: dict[str, int], before: str) -> None:
    client = app.test_client()
    login(app, client, world["admin"])
    assert client.get(f"/admin/programs/{world['program']}/audit?before={before}").status_code == 200
    assert client.get(f"/admin/programs/{world['program']}/audit?before=x").status_code == 422
