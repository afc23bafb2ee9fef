"""The program-health API: dashboard figures, at-risk pairs and nudges, for admins only."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mentorship.models import AuditEntry, Notification, Pairing
from mentorship.services import pairings as pairing_service
from tests.api.helpers import bearer, count
from tests.factories import create, make_program, make_user
from tests.test_at_risk import pair


@pytest.fixture
def program(app: Flask, admin: int) -> dict[str, int]:
    def build(session: Session) -> dict[str, int]:
        found = make_program(session, name="API Cohort")
        quiet = pair(session, found, "Quiet", 60)
        ended = pair(session, found, "Ended", 60)
        pairing_service.end_pairing(session, ended, session.get(Pairing, quiet.id).mentee.user,
                                    "other")
        elsewhere = pair(session, make_program(session), "Elsewhere", 60)
        return {"program": found.id, "quiet": quiet.id, "ended": ended.id,
                "elsewhere": elsewhere.id}
    return create(app, build)


def base(ids: dict[str, int]) -> str:
    return f"/api/v1/admin/programs/{ids['program']}"


def test_the_dashboard_answers_exactly_the_documented_fields(
        client: FlaskClient, program: dict[str, int], admin_auth: dict[str, str]) -> None:
    answer = client.get(f"{base(program)}/dashboard", headers=admin_auth)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert set(answer.json) == set(schemas["ProgramDashboard"]["properties"])
    assert answer.json["pairings"] == {"active": 1, "ended": 1}
    listed = client.get(f"{base(program)}/at-risk", headers=admin_auth).json
    assert set(listed) == set(schemas["AtRiskList"]["properties"])
    assert [p["pairing_id"] for p in listed["pairs"]] == [program["quiet"]]
    assert set(listed["pairs"][0]) == set(schemas["AtRiskPair"]["properties"])
    assert listed["pairs"][0]["reasons"] == ["quiet"]


@pytest.mark.parametrize("path", ["dashboard", "at-risk"])
def test_reading_is_for_admins_of_an_existing_program(
        client: FlaskClient, program: dict[str, int], auth: dict[str, str],
        admin_auth: dict[str, str], path: str) -> None:
    assert client.get(f"{base(program)}/{path}").status_code == 401
    assert client.get(f"{base(program)}/{path}", headers=auth).status_code == 403
    assert client.get(f"/api/v1/admin/programs/999/{path}",
                      headers=admin_auth).status_code == 404


def test_a_nudge_notifies_both_and_is_audited(app: Flask, client: FlaskClient,
                                              program: dict[str, int],
                                              admin_auth: dict[str, str]) -> None:
    answer = client.post(f"{base(program)}/pairings/{program['quiet']}/nudge",
                         json={"step": "agreement"}, headers=admin_auth)
    assert answer.status_code == 201
    assert answer.json == {"pairing_id": program["quiet"], "step": "agreement", "notified": 2}
    assert count(app, Notification, Notification.kind == "pair_nudged") == 2
    assert count(app, AuditEntry, AuditEntry.action == "pair_nudged",
                 AuditEntry.target == f"pairing:{program['quiet']}") == 1


@pytest.mark.parametrize("body, status, field", [
    ({"step": "shout"}, 422, "step"), ({"tone": "firm"}, 422, "tone"), (None, 415, None)])
def test_a_bad_nudge_changes_nothing(app: Flask, client: FlaskClient, program: dict[str, int],
                                     admin_auth: dict[str, str], body: Any, status: int,
                                     field: str | None) -> None:
    path = f"{base(program)}/pairings/{program['quiet']}/nudge"
    answer = (client.post(path, json=body, headers=admin_auth) if body is not None
              else client.post(path, data="step=quiet", headers=admin_auth))
    assert answer.status_code == status
    if field:
        assert field in answer.json["error"]["fields"]
    assert count(app, Notification, Notification.kind == "pair_nudged") == 0
    assert count(app, AuditEntry, AuditEntry.action == "pair_nudged") == 0


@pytest.mark.parametrize("target, status", [("ended", 409), ("elsewhere", 404)])
def test_ended_or_foreign_pairs_are_not_nudged(app: Flask, client: FlaskClient,
                                               program: dict[str, int],
                                               admin_auth: dict[str, str], target: str,
                                               status: int) -> None:
    answer = client.post(f"{base(program)}/pairings/{program[target]}/nudge", json={},
                         headers=admin_auth)
    assert answer.status_code == status
    assert count(app, AuditEntry, AuditEntry.action == "pair_nudged") == 0


def test_members_may_not_nudge(app: Flask, client: FlaskClient, program: dict[str, int]) -> None:
    member = create(app, lambda s: make_user(s).id)
    answer = client.post(f"{base(program)}/pairings/{program['quiet']}/nudge", json={},
                         headers=bearer(app, member))
    assert answer.status_code == 403
    assert count(app, Notification, Notification.kind == "pair_nudged") == 0
