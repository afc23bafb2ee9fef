"""Suggestions, match requests and pairings through the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import MatchRequest, Pairing, RequestStatus
from tests.api.helpers import bearer, count, fetch
from tests.factories import create, make_program
from tests.flows import mentee, mentor, person

API = "/api/v1"


@pytest.fixture
def people(app: Flask) -> dict[str, Any]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, max_pending_requests=2)
        grace = mentor(session, program, "Grace", capacity=1, expertise=("python", "design"))
        linus = mentor(session, program, "Linus", languages=("en", "fi"))
        ada = mentee(session, program, "Ada")
        bob = mentee(session, program, "Bob")
        return {"program": program.id, "grace": grace.id, "linus": linus.id,
                "grace_user": grace.user_id, "linus_user": linus.user_id,
                "ada_user": ada.user_id, "bob_user": bob.user_id,
                "outsider": person(session, "Olga").id}
    ids: dict[str, Any] = create(app, build)
    for name in ("grace", "linus", "ada", "bob"):
        ids[f"{name}_auth"] = bearer(app, ids[f"{name}_user"])
    ids["outsider_auth"] = bearer(app, ids["outsider"])
    return ids


def ask(client: FlaskClient, people: dict[str, Any], who: str, mentor_key: str,
        message: str = "Hello") -> Any:
    return client.post(f"{API}/match-requests", headers=people[f"{who}_auth"],
                       json={"mentor_enrolment_id": people[mentor_key], "message": message})


def test_suggestions_with_filters_and_limit(client: FlaskClient,
                                            people: dict[str, Any]) -> None:
    url = f"{API}/programs/{people['program']}/suggestions"
    found = client.get(url, headers=people["ada_auth"])
    assert found.status_code == 200
    body = found.json
    assert {s["name"] for s in body["suggestions"]} == {"Grace", "Linus"}
    first = body["suggestions"][0]
    assert 0 <= first["score"] <= 1 and first["score_percent"] == round(100 * first["score"])
    assert first["reasons"] and first["free_seats"] >= 1 and first["timezone_gap_hours"] == 0
    assert body["pairing"] is None and body["requested"] == []
    only = client.get(f"{url}?language=fi&limit=1", headers=people["ada_auth"]).json
    assert [s["name"] for s in only["suggestions"]] == ["Linus"] and not only["has_more"]
    assert client.get(f"{url}?limit=1", headers=people["ada_auth"]).json["has_more"]
    bad = client.get(f"{url}?limit=500&max_timezone_gap=x", headers=people["ada_auth"])
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {
        "limit", "max_timezone_gap"}
    assert client.get(url, headers=people["outsider_auth"]).status_code == 404
    assert client.get(url).status_code == 401


def test_request_accept_and_the_rest_of_the_flow(app: Flask, client: FlaskClient,
                                                 people: dict[str, Any]) -> None:
    sent = ask(client, people, "ada", "grace", "Design help, please")
    assert sent.status_code == 201
    item = sent.json
    assert item["status"] == "pending" and item["mentor"]["name"] == "Grace"
    assert item["mentee"]["goals"] and item["reasons"] and item["expires_at"].endswith("Z")
    duplicate = ask(client, people, "ada", "grace")
    assert duplicate.status_code == 409 and "already asked" in duplicate.json["error"]["message"]
    assert ask(client, people, "bob", "grace").status_code == 201

    received = client.get(f"{API}/match-requests?direction=received",
                          headers=people["grace_auth"]).json
    assert set(received) == {"received"} and len(received["received"]) == 2
    assert client.get(f"{API}/match-requests?direction=up",
                      headers=people["grace_auth"]).status_code == 422
    assert client.get(f"{API}/match-requests?status=lost",
                      headers=people["grace_auth"]).status_code == 422

    accepted = client.post(f"{API}/match-requests/{item['id']}/accept",
                           headers=people["grace_auth"])
    assert accepted.status_code == 201
    pairing = accepted.json
    assert pairing["role"] == "mentor" and pairing["status"] == "active"
    assert pairing["mentee"]["name"] == "Ada" and pairing["source"] == "request"
    # Grace is now full: Bob's request was declined for lack of capacity.
    bob = client.get(f"{API}/match-requests?direction=sent", headers=people["bob_auth"]).json
    assert bob["sent"][0]["status"] == "declined"
    assert bob["sent"][0]["decline_reason"] == "no_capacity"
    again = client.post(f"{API}/match-requests/{item['id']}/accept", headers=people["grace_auth"])
    assert again.status_code == 409
    assert count(app, Pairing) == 1

    mine = client.get(f"{API}/pairings", headers=people["ada_auth"]).json["pairings"]
    assert [p["role"] for p in mine] == ["mentee"]
    one = client.get(f"{API}/pairings/{pairing['id']}", headers=people["ada_auth"])
    assert one.status_code == 200 and one.json["mentor"]["name"] == "Grace"
    assert client.get(f"{API}/pairings/{pairing['id']}",
                      headers=people["outsider_auth"]).status_code == 404
    suggestions = client.get(f"{API}/programs/{people['program']}/suggestions",
                             headers=people["ada_auth"]).json
    assert suggestions["pairing"]["id"] == pairing["id"] and suggestions["suggestions"] == []

    end_url = f"{API}/pairings/{pairing['id']}/end"
    assert client.post(end_url, headers=people["ada_auth"],
                       json={"reason": "meh"}).status_code == 422
    assert client.post(end_url, headers=people["ada_auth"],
                       json={"reason": "other", "x": 1}).status_code == 422
    assert client.post(end_url, headers=people["outsider_auth"],
                       json={"reason": "other"}).status_code == 404
    ended = client.post(end_url, headers=people["ada_auth"],
                        json={"reason": "goals_met", "note": "Thanks"})
    assert ended.status_code == 200 and ended.json["status"] == "ended"
    assert ended.json["end_reason"] == "goals_met"
    assert client.post(end_url, headers=people["ada_auth"],
                       json={"reason": "other"}).status_code == 409


def test_decline_and_withdraw_belong_to_their_side(app: Flask, client: FlaskClient,
                                                   people: dict[str, Any]) -> None:
    first = ask(client, people, "ada", "grace").json["id"]
    second = ask(client, people, "ada", "linus").json["id"]
    over = ask(client, people, "bob", "linus")
    assert over.status_code == 201
    decline = f"{API}/match-requests/{first}/decline"
    assert client.post(decline, headers=people["ada_auth"],
                       json={"reason": "schedule"}).status_code == 404  # the mentee's own
    assert client.post(decline, headers=people["grace_auth"],
                       json={"reason": "bored"}).status_code == 422
    declined = client.post(decline, headers=people["grace_auth"],
                           json={"reason": "schedule", "note": "Next term?"})
    assert declined.status_code == 200
    assert declined.json["status"] == "declined" and declined.json["decline_note"] == "Next term?"
    withdraw = f"{API}/match-requests/{second}/withdraw"
    assert client.post(withdraw, headers=people["linus_auth"]).status_code == 404
    withdrawn = client.post(withdraw, headers=people["ada_auth"])
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert client.post(withdraw, headers=people["ada_auth"]).status_code == 409
    assert fetch(app, MatchRequest, second).status == RequestStatus.WITHDRAWN
    statuses = client.get(f"{API}/match-requests?status=withdrawn",
                          headers=people["ada_auth"]).json
    assert [r["id"] for r in statuses["sent"]] == [second] and statuses["received"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({}, "mentor_enrolment_id"), ({"mentor_enrolment_id": "one"}, "mentor_enrolment_id"),
    ({"mentor_enrolment_id": True}, "mentor_enrolment_id"),
    ({"mentor_enrolment_id": 1, "message": "x" * 1001}, "message"),
    ({"mentor_enrolment_id": 1, "status": "accepted"}, "status")])
def test_bad_request_bodies_are_422(client: FlaskClient, people: dict[str, Any],
                                    body: dict[str, Any], field: str) -> None:
    answer = client.post(f"{API}/match-requests", headers=people["ada_auth"], json=body)
    assert answer.status_code == 422 and field in answer.json["error"]["fields"]


def test_unknown_mentors_and_other_peoples_requests_are_404(client: FlaskClient,
                                                           people: dict[str, Any]) -> None:
    missing = client.post(f"{API}/match-requests", headers=people["ada_auth"],
                          json={"mentor_enrolment_id": 999999})
    assert missing.status_code == 404
    item = ask(client, people, "ada", "grace").json["id"]
    for verb in ("accept", "withdraw"):
        assert client.post(f"{API}/match-requests/{item}/{verb}",
                           headers=people["outsider_auth"]).status_code == 404
    assert client.get(f"{API}/match-requests", headers=people["outsider_auth"]).json == {
        "sent": [], "received": []}


def test_answers_have_the_documented_fields(client: FlaskClient,
                                            people: dict[str, Any]) -> None:
    schemas = client.get(f"{API}/openapi.json").json["components"]["schemas"]
    item = ask(client, people, "ada", "grace").json
    assert set(item) == set(schemas["MatchRequest"]["properties"])
    found = client.get(f"{API}/programs/{people['program']}/suggestions",
                       headers=people["bob_auth"]).json
    assert set(found) == set(schemas["Suggestions"]["properties"])
    assert set(found["suggestions"][0]) == set(schemas["Suggestion"]["properties"])
    made = client.post(f"{API}/match-requests/{item['id']}/accept",
                       headers=people["grace_auth"]).json
    assert set(made) == set(schemas["Pairing"]["properties"])
