"""Goals and action items in the JSON API: the pages' rules, in JSON."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Goal, GoalEvent, Pairing
from mentorship.services import pairings
from tests.api.helpers import bearer, count, fetch
from tests.factories import create
from tests.test_goals_fixtures import build_pairs


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    return build_pairs(app)


def base(pair: dict[str, int]) -> str:
    return f"/api/v1/pairings/{pair['pairing']}"


def new_goal(client: FlaskClient, app: Flask, pair: dict[str, int], who: str = "ada",
             **fields: object) -> dict[str, object]:
    response = client.post(f"{base(pair)}/goals", headers=bearer(app, pair[who]),
                           json={"title": "Lead a design review", "progress": 10} | fields)
    assert response.status_code == 201, response.json
    return response.json


def test_a_goal_is_created_read_and_listed(client: FlaskClient, app: Flask,
                                           pair: dict[str, int]) -> None:
    made = new_goal(client, app, pair, target_date="2030-03-01", measure="Runs one alone")
    assert made["status"] == "open" and made["version"] == 1 and made["items"] == []
    assert made["history"][0]["actor"] == "Ada Lovelace"
    assert "Created the goal" in made["history"][0]["changes"]
    read = client.get(f"{base(pair)}/goals/{made['id']}", headers=bearer(app, pair["grace"]))
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json["target_date"] == "2030-03-01" and read.json["measure"] == "Runs one alone"
    listed = client.get(f"{base(pair)}/goals", headers=bearer(app, pair["grace"])).json
    assert [g["title"] for g in listed["goals"]] == ["Lead a design review"]
    (from_session,) = listed["from_sessions"]
    assert from_session["title"] == "Read the SRE book" and from_session["overdue"] is True
    assert from_session["goal_id"] is None and from_session["meeting_id"] == pair["completed"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "title"), ({"title": ""}, "title"), ({"title": "x", "progress": 101}, "progress"),
    ({"title": "x", "progress": "half"}, "progress"), ({"title": "x", "status": "won"}, "status"),
    ({"title": "x", "target_date": "soon"}, "target_date"), ({"title": "x", "id": 3}, "id"),
    ({"title": "x", "version": 1}, "version"),
])
def test_bad_goals_are_refused_at_their_field(client: FlaskClient, app: Flask,
                                             pair: dict[str, int], body: dict[str, object],
                                             field: str) -> None:
    response = client.post(f"{base(pair)}/goals", headers=bearer(app, pair["ada"]), json=body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(app, Goal) == 0


def test_edits_are_conditional_and_recorded(client: FlaskClient, app: Flask,
                                            pair: dict[str, int]) -> None:
    goal = new_goal(client, app, pair)
    url = f"{base(pair)}/goals/{goal['id']}"
    grace = bearer(app, pair["grace"])
    saved = client.patch(url, headers=grace | {"If-Match": '"1"'}, json={"progress": 40})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"2"'
    assert saved.json["history"][0]["actor"] == "Grace Hopper"
    assert saved.json["history"][0]["changes"] == ["Progress: 10 % → 40 %"]
    stale = client.patch(url, headers=bearer(app, pair["ada"]),
                         json={"progress": 20, "title": "Lead a design review", "version": 1})
    assert stale.status_code == 409 and stale.headers["ETag"] == '"2"'
    assert stale.json["error"]["fields"] == {"progress": "Saved meanwhile as: 40"}
    assert fetch(app, Goal, goal["id"]).progress == 40
    bad = client.patch(url, headers=grace, json={"progress": -1})
    assert bad.status_code == 422 and "progress" in bad.json["error"]["fields"]
    assert count(app, GoalEvent) == 2


def test_items_are_added_and_ticked(client: FlaskClient, app: Flask,
                                   pair: dict[str, int]) -> None:
    goal = new_goal(client, app, pair)
    grace = bearer(app, pair["grace"])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused = client.post(f"{base(pair)}/goals/{goal['id']}/items", headers=grace,
                          json={"title": "Draft", "owner": "boss"})
    assert refused.status_code == 422 and "owner" in refused.json["error"]["fields"]
    item = client.post(f"{base(pair)}/goals/{goal['id']}/items", headers=grace,
                       json={"title": "Draft the agenda", "owner": "mentor", "due_on": yesterday})
    assert item.status_code == 201 and item.json["overdue"] is True
    url = f"{base(pair)}/items/{item.json['id']}"
    assert client.patch(url, headers=grace, json={"done": "yes"}).status_code == 422
    done = client.patch(url, headers=grace, json={"done": True})
    assert done.status_code == 200 and done.json["done"] is True and done.json["overdue"] is False
    history = client.get(f"{base(pair)}/goals/{goal['id']}", headers=grace).json["history"]
    assert history[0]["changes"] == ["Marked “Draft the agenda” done"]
    session_item = client.patch(f"{base(pair)}/items/{pair['session_item']}", headers=grace,
                                json={"done": True})
    assert session_item.status_code == 200 and session_item.json["done"] is True


def test_everything_is_read_only_after_the_end(client: FlaskClient, app: Flask,
                                              pair: dict[str, int]) -> None:
    goal = new_goal(client, app, pair)

    def end(session: Any) -> None:
        pairing = session.get(Pairing, pair["pairing"])
        pairings.end_pairing(session, pairing, pairing.mentor.user, "other")
    create(app, end)
    ada = bearer(app, pair["ada"])
    assert client.get(f"{base(pair)}/goals", headers=ada).status_code == 200
    for method, url, body in (
            ("post", f"{base(pair)}/goals", {"title": "More"}),
            ("patch", f"{base(pair)}/goals/{goal['id']}", {"progress": 90}),
            ("post", f"{base(pair)}/goals/{goal['id']}/items", {"title": "x", "owner": "mentee"}),
            ("patch", f"{base(pair)}/items/{pair['session_item']}", {"done": True})):
        response = getattr(client, method)(url, headers=ada, json=body)
        assert response.status_code == 409, url
        assert "ended" in response.json["error"]["message"]
    assert count(app, Goal) == 1 and fetch(app, Goal, goal["id"]).progress == 10
