"""Session feedback and the fit check in the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Feedback, FitCheck, MeetingStatus, Notification, Pairing
from tests.api.helpers import bearer, count
from tests.factories import create
from tests.test_goals_fixtures import build_pairs, meeting

SAYS = {"went_well": "Clear next steps", "to_improve": "Start on time",
        "advice": "Try the checklist", "rating": 5}


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    return build_pairs(app)


def url(pair: dict[str, int], meeting_key: str = "completed") -> str:
    return f"/api/v1/pairings/{pair['pairing']}/sessions/{pair[meeting_key]}/feedback"


def test_feedback_is_given_once_and_read_by_the_pair(client: FlaskClient, app: Flask,
                                                     pair: dict[str, int]) -> None:
    grace = bearer(app, pair["grace"])
    given = client.post(url(pair), headers=grace, json=SAYS)
    assert given.status_code == 201
    assert given.json["role"] == "mentor" and given.json["rating"] == 5
    assert given.json["labels"]["advice"] == "Your advice"
    assert count(app, Notification, Notification.user_id == pair["ada"]) == 1
    again = client.post(url(pair), headers=grace, json=SAYS | {"rating": 1})
    assert again.status_code == 409 and count(app, Feedback) == 1
    read = client.get(url(pair), headers=bearer(app, pair["ada"])).json
    assert read["can_give"] is True and read["session_status"] == "completed"
    (theirs,) = read["feedback"]
    assert theirs["advice"] == "Try the checklist" and theirs["labels"]["rating"].startswith(
        "The mentee's progress")


@pytest.mark.parametrize(("body", "field"), [({"went_well": "x"}, "rating"),
                                             (SAYS | {"rating": 0}, "rating"),
                                             (SAYS | {"rating": 6}, "rating"),
                                             (SAYS | {"advice": 3}, "advice"),
                                             (SAYS | {"author_role": "mentor"}, "author_role")])
def test_bad_feedback_is_refused_at_its_field(client: FlaskClient, app: Flask,
                                             pair: dict[str, int], body: dict[str, Any],
                                             field: str) -> None:
    response = client.post(url(pair), headers=bearer(app, pair["ada"]), json=body)
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert count(app, Feedback) == 0


def test_no_feedback_before_the_session_took_place(client: FlaskClient, app: Flask,
                                                   pair: dict[str, int]) -> None:
    def cancelled(session: Any) -> int:
        return meeting(session, session.get(Pairing, pair["pairing"]),
                       status=MeetingStatus.CANCELLED).id
    pair["cancelled"] = create(app, cancelled)
    ada = bearer(app, pair["ada"])
    for key in ("scheduled", "cancelled"):
        assert client.post(url(pair, key), headers=ada, json=SAYS).status_code == 409
        assert client.get(url(pair, key), headers=ada).json["can_give"] is False
    assert count(app, Feedback) == 0


def test_the_fit_check_answers_with_your_own_answer_only(client: FlaskClient, app: Flask,
                                                         pair: dict[str, int]) -> None:
    fit = f"/api/v1/pairings/{pair['pairing']}/fit"
    ada, grace = bearer(app, pair["ada"]), bearer(app, pair["grace"])
    assert client.get(fit, headers=ada).json == {"due": True, "answer": None,
                                                 "answered_at": None, "may_end": False}
    assert client.put(fit, headers=ada, json={"answer": "never"}).status_code == 422
    first = client.put(fit, headers=ada, json={"answer": "no"})
    assert first.status_code == 201 and first.json["answer"] == "no"
    assert first.json["may_end"] is True
    assert client.put(fit, headers=ada, json={"answer": "no"}).status_code == 200
    assert client.put(fit, headers=ada, json={"answer": "yes"}).status_code == 409
    partner = client.get(fit, headers=grace)
    assert partner.json == {"due": True, "answer": None, "answered_at": None, "may_end": False}
    assert count(app, Notification, Notification.user_id == pair["grace"]) == 0
    assert count(app, FitCheck) == 1
    before = client.put(f"/api/v1/pairings/{pair['other']}/fit",
                        headers=bearer(app, pair["cleo"]), json={"answer": "yes"})
    assert before.status_code == 409 and "first completed session" in before.json["error"][
        "message"]
