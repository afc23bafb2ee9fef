"""The agreement, reflections and export in the JSON API: the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Agreement, EndReason, Pairing
from mentorship.services import pairings
from tests.api.helpers import bearer, count
from tests.factories import create, make_program, make_user
from tests.flows import mentee, mentor, paired, person

PROPOSAL = {"cadence": "monthly", "session_minutes": 60, "ends_on": None,
            "mentee_wants": "A promotion case", "contact": "email",
            "confidentiality": "Between us", "based_on": 0}


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session)
        grace = mentor(session, program, "Grace Hopper")
        ada = mentee(session, program, "Ada Lovelace")
        return {"pairing": paired(session, ada, grace).id, "ada": ada.user_id,
                "grace": grace.user_id, "admin": make_user(session, is_admin=True).id,
                "stranger": person(session, "Stranger").id}
    return create(app, build)


def test_propose_accept_and_read_the_agreement(app: Flask, client: FlaskClient,
                                               pair: dict[str, int]) -> None:
    ada, grace = bearer(app, pair["ada"]), bearer(app, pair["grace"])
    url = f"/api/v1/pairings/{pair['pairing']}/agreement"
    assert client.get(url, headers=ada).get_json()["state"] == "none"
    made = client.put(url, json=PROPOSAL, headers=ada)
    assert made.status_code == 201
    assert made.get_json()["state"] == "waiting_for_partner"
    assert client.get(url, headers=grace).get_json()["state"] == "waiting_for_you"
    accepted = client.post(f"{url}/accept", json={"number": 1}, headers=grace)
    body = accepted.get_json()
    assert accepted.status_code == 200 and body["state"] == "accepted"
    assert body["in_force"]["number"] == 1 and body["current"]["cadence"] == "monthly"
    stale = client.put(url, json=PROPOSAL, headers=grace)
    assert stale.status_code == 409 and "version 1" in stale.get_json()["error"]["message"]


def test_bad_fields_are_named(app: Flask, client: FlaskClient, pair: dict[str, int]) -> None:
    answer = client.put(f"/api/v1/pairings/{pair['pairing']}/agreement",
                        json=PROPOSAL | {"session_minutes": 1000, "cadence": "hourly",
                                         "colour": "red"},
                        headers=bearer(app, pair["ada"]))
    assert answer.status_code == 422
    assert "colour" in answer.get_json()["error"]["fields"]
    answer = client.put(f"/api/v1/pairings/{pair['pairing']}/agreement",
                        json=PROPOSAL | {"session_minutes": 1000, "cadence": "hourly"},
                        headers=bearer(app, pair["ada"]))
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"session_minutes", "cadence"}
    assert count(app, Agreement) == 0


@pytest.mark.parametrize("who", ["admin", "stranger"])
def test_outsiders_get_404_everywhere(app: Flask, client: FlaskClient, pair: dict[str, int],
                                      who: str) -> None:
    client.put(f"/api/v1/pairings/{pair['pairing']}/agreement", json=PROPOSAL,
               headers=bearer(app, pair["ada"]))
    them = bearer(app, pair[who])
    base = f"/api/v1/pairings/{pair['pairing']}"
    for method, url, body in (("get", f"{base}/agreement", None),
                              ("put", f"{base}/agreement", PROPOSAL),
                              ("post", f"{base}/agreement/accept", {"number": 1}),
                              ("get", f"{base}/reflections", None),
                              ("post", f"{base}/reflections", {"what_changed": "x"}),
                              ("get", f"{base}/export.md", None)):
        answer = getattr(client, method)(url, json=body, headers=them)
        assert answer.status_code == 404, url
        assert "promotion" not in answer.get_data(as_text=True)


def test_reflections_after_the_end(app: Flask, client: FlaskClient, pair: dict[str, int]) -> None:
    url = f"/api/v1/pairings/{pair['pairing']}/reflections"
    ada = bearer(app, pair["ada"])
    assert client.post(url, json={"what_changed": "x"}, headers=ada).status_code == 409

    def end(session: Any) -> None:
        item = session.get(Pairing, pair["pairing"])
        pairings.end_pairing(session, item, item.mentor.user, EndReason.GOALS_MET)
    create(app, end)
    made = client.post(url, json={"what_changed": "Confidence", "what_next": "Apply"},
                       headers=ada)
    assert made.status_code == 201 and made.get_json()["role"] == "mentee"
    listed = client.get(url, headers=bearer(app, pair["grace"])).get_json()["reflections"]
    assert [r["what_changed"] for r in listed] == ["Confidence"]
    export = client.get(f"/api/v1/pairings/{pair['pairing']}/export.md", headers=ada)
    assert export.status_code == 200 and "Confidence" in export.get_data(as_text=True)
