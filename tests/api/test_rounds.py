"""Matching rounds in the API: admins only, the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import AuditEntry, MatchRound, Pairing, RoundStatus
from tests.api.helpers import bearer, count
from tests.factories import create, make_user
from tests.round_cohort import make_cohort


@pytest.fixture
def cohort(app: Flask) -> dict[str, int]:
    return make_cohort(app)


@pytest.fixture
def admin_auth(app: Flask, cohort: dict[str, int]) -> dict[str, str]:
    return bearer(app, cohort["admin"])


def start(client: FlaskClient, auth: dict[str, str], program_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/programs/{program_id}/rounds", json=body, headers=auth)


def test_an_admin_runs_adjusts_reruns_and_publishes_a_round(
        client: FlaskClient, admin_auth: dict[str, str], cohort: dict[str, int],
        app: Flask) -> None:
    answer = start(client, admin_auth, cohort["program"], objective="coverage", min_score=None,
                   equity=0.5, group_by="region")
    assert answer.status_code == 201, answer.json
    round_ = answer.json
    assert answer.headers["Location"].endswith(f"/api/v1/rounds/{round_['id']}")
    assert round_["status"] == "draft" and round_["report"]["matched"] == 4
    assert round_["settings"] == {"objective": "coverage", "min_score": None, "equity": 0.5,
                                  "group_by": "region"}
    base = f"/api/v1/rounds/{round_['id']}"
    pinned = client.post(f"{base}/pins", headers=admin_auth, json={
        "mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Grace"]})
    assert pinned.status_code == 200
    assert {"mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Grace"]}.items() \
        <= next(p for p in pinned.json["proposals"] if p["pinned"]).items()
    unpinned = client.post(f"{base}/unpin", headers=admin_auth, json={
        "mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Grace"]})
    assert unpinned.status_code == 200
    assert not any(p["pinned"] for p in unpinned.json["proposals"])
    assert client.post(f"{base}/unpin", headers=admin_auth, json={
        "mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Linus"]}
    ).status_code == 409  # not a pair of the draft
    assert client.post(f"{base}/pins", headers=admin_auth, json={
        "mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Grace"]}
    ).status_code == 200
    excluded = client.post(f"{base}/exclusions", headers=admin_auth, json={
        "mentee_enrolment_id": cohort["Ada"], "mentor_enrolment_id": cohort["Grace"]})
    assert excluded.status_code == 200
    rerun = client.post(f"{base}/rerun", headers=admin_auth)
    assert rerun.status_code == 200 and rerun.json["status"] == "draft"
    pairs = {p["mentee_enrolment_id"]: p["mentor_enrolment_id"] for p in rerun.json["proposals"]}
    assert pairs[cohort["Cy"]] == cohort["Grace"] and pairs[cohort["Ada"]] == cohort["Linus"]
    csv = client.get(f"{base}/proposals.csv", headers=admin_auth)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    published = client.post(f"{base}/publish", headers=admin_auth)
    assert published.status_code == 200
    assert published.json["round"]["status"] == RoundStatus.PUBLISHED.value
    assert len(published.json["pairings"]) == 4 == count(app, Pairing)
    assert count(app, AuditEntry, AuditEntry.action == "round_published",
                 AuditEntry.target == f"round:{round_['id']}") == 1
    again = client.post(f"{base}/publish", headers=admin_auth)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    assert client.post(f"{base}/discard", headers=admin_auth).status_code == 409


def test_a_second_round_while_one_runs_is_409(client: FlaskClient, admin_auth: dict[str, str],
                                              cohort: dict[str, int], app: Flask) -> None:
    create(app, lambda session: session.add(MatchRound(program_id=cohort["program"],
                                                      settings={}, report={})))
    answer = start(client, admin_auth, cohort["program"])
    assert answer.status_code == 409
    assert "is running" in answer.json["error"]["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"objective": "speed"}, "objective"), ({"min_score": 2}, "min_score"),
    ({"equity": True}, "equity"), ({"group_by": "height"}, "group_by"),
    ({"weights": {}}, "weights"),
])
def test_bad_settings_are_422_naming_the_field(client: FlaskClient, admin_auth: dict[str, str],
                                               cohort: dict[str, int], body: dict[str, Any],
                                               field: str) -> None:
    answer = start(client, admin_auth, cohort["program"], **body)
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]


def test_bad_pairs_are_422(client: FlaskClient, admin_auth: dict[str, str],
                           cohort: dict[str, int]) -> None:
    round_id = start(client, admin_auth, cohort["program"]).json["id"]
    for body in ({"mentee_enrolment_id": "x", "mentor_enrolment_id": cohort["Grace"]},
                 {"mentee_enrolment_id": cohort["Grace"], "mentor_enrolment_id": cohort["Ada"]},
                 {"mentee_enrolment_id": cohort["Ada"]}):
        answer = client.post(f"/api/v1/rounds/{round_id}/pins", headers=admin_auth, json=body)
        assert answer.status_code == 422, body


def test_rounds_are_for_admins_only(client: FlaskClient, app: Flask,
                                    admin_auth: dict[str, str], cohort: dict[str, int]) -> None:
    round_id = start(client, admin_auth, cohort["program"]).json["id"]
    member = bearer(app, create(app, lambda session: make_user(session).id))
    paths = [("post", f"/api/v1/programs/{cohort['program']}/rounds"),
             ("get", f"/api/v1/rounds/{round_id}"), ("post", f"/api/v1/rounds/{round_id}/rerun"),
             ("post", f"/api/v1/rounds/{round_id}/publish"),
             ("get", f"/api/v1/rounds/{round_id}/proposals.csv")]
    for method, path in paths:
        assert getattr(client, method)(path, headers=member, json={}).status_code == 403
        assert getattr(client, method)(path, json={}).status_code == 401
    assert client.get("/api/v1/rounds/999999", headers=admin_auth).status_code == 404
    assert client.post("/api/v1/programs/999999/rounds", headers=admin_auth,
                       json={}).status_code == 404
