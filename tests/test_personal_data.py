"""One's data: download all of it; delete the account and find none of it anywhere.

The deletion test writes the person into every corner (profile, enrolments, requests,
agreement, thread, session notes, feedback, fit answer, reflection, notices, devices,
tokens), deletes the account through the page, then reads every row of every table
looking for their name, email or words.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from mentorship.db import Base, get_session
from mentorship.models import (
    Agreement,
    Cadence,
    Feedback,
    FitAnswer,
    FitCheck,
    Meeting,
    MeetingStatus,
    Message,
    Notification,
    Pairing,
    PairingStatus,
    PrepNote,
    Reflection,
    Role,
    User,
    utcnow,
)
from mentorship.services import accounts
from mentorship.services.notifications import Kind, notify
from tests.api.helpers import bearer, fetch
from tests.factories import PASSWORD, create, login, make_program
from tests.flows import mentee, mentor, paired, pending, person

NAME, EMAIL, WORDS = "Quentin Zephyrine", "quentin.z@example.test", "QZ-private-words"


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Harbour")
        other_program = make_program(session, name="Lighthouse")
        me = person(session, NAME, email=EMAIL, headline=f"{WORDS} headline")
        me.profile.bio = f"{WORDS} bio"
        quentin = mentee(session, program, NAME, user=me)
        quentin.goals = f"{WORDS} goals"
        grace = mentor(session, program, "Grace Hopper")
        pairing = paired(session, quentin, grace)
        as_mentor = mentor(session, other_program, NAME, user=me)
        as_mentor.about = f"{WORDS} about"
        asker = mentee(session, other_program, "Bo Asker")
        pending(session, asker, as_mentor, message="Please mentor me")
        now = utcnow()
        meeting = Meeting(pairing_id=pairing.id, starts_at=now - timedelta(days=2),
                          duration_minutes=60, status=MeetingStatus.COMPLETED, logged_at=now,
                          created_by_id=me.id, discussed="Shared log stays")
        session.add_all([meeting, Agreement(pairing_id=pairing.id, number=1, author_id=me.id,
                                            cadence=Cadence.WEEKLY, session_minutes=60),
                         Message(pairing_id=pairing.id, author_id=me.id, body=f"{WORDS} message",
                                 client_key="a"),
                         Message(pairing_id=pairing.id, author_id=grace.user_id,
                                 body="Grace's reply stays", client_key="b"),
                         FitCheck(pairing_id=pairing.id, author_role=Role.MENTEE,
                                  answer=FitAnswer.UNSURE)])
        session.flush()
        session.add_all([PrepNote(meeting_id=meeting.id, author_id=me.id, wins=f"{WORDS} wins"),
                         Feedback(pairing_id=pairing.id, meeting_id=meeting.id,
                                  author_id=me.id, author_role=Role.MENTEE,
                                  went_well=f"{WORDS} feedback", rating=5)])
        notify(session, grace.user_id, Kind.REQUEST_ACCEPTED, "pairing", pairing.id,
               mentor=NAME, partner=NAME, program="Harbour")
        notify(session, me.id, Kind.PAIRED_BY_ROUND, "pairing", pairing.id, partner="Grace")
        accounts.issue_api_token(session, me)
        return {"me": me.id, "pairing": pairing.id, "grace": grace.user_id}
    return create(app, build)


def test_download_holds_everything_about_me_and_no_secrets(app: Flask,
                                                          world: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, world["me"])
    answer = client.get("/account/data.json")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    data = json.loads(answer.get_data(as_text=True))
    assert data["account"]["email"] == EMAIL and "password_hash" not in data["account"]
    assert [m["body"] for m in data["messages_written"]] == [f"{WORDS} message"]
    assert {e["role"] for e in data["enrolments"]} == {"mentee", "mentor"}
    assert data["feedback_written"][0]["went_well"] == f"{WORDS} feedback"
    assert data["fit_answers"][0]["answer"] == "unsure"
    assert data["api_tokens"] and "token_hash" not in data["api_tokens"][0]
    assert "Grace's reply stays" not in answer.get_data(as_text=True)
    api = app.test_client().get("/api/v1/me/data", headers=bearer(app, world["me"]))
    assert api.status_code == 200 and api.get_json()["profile"][0]["bio"] == f"{WORDS} bio"


def _every_value(app: Flask) -> list[tuple[str, str]]:
    """(table, value as text) for every column of every row of every table."""
    found = []
    with app.app_context():
        db = get_session()
        for table in Base.metadata.sorted_tables:
            for row in db.execute(select(table)):
                found += [(table.name, json.dumps(v, default=str) if isinstance(v, (dict, list))
                           else str(v)) for v in row]
    return found


def test_deleting_the_account_leaves_none_of_my_data_anywhere(app: Flask,
                                                              world: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, world["me"])
    refused = client.post("/account/delete", data={"password": "wrong", "confirm": "y"})
    assert refused.status_code == 422 and fetch(app, User, world["me"]).name == NAME
    unconfirmed = client.post("/account/delete", data={"password": PASSWORD})
    assert unconfirmed.status_code == 422
    deleted = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert deleted.status_code == 302
    leftovers = [(table, value) for table, value in _every_value(app)
                 if any(mark.lower() in value.lower()
                        for mark in (NAME, EMAIL, WORDS, "Quentin", "quentin.z"))]
    assert leftovers == []
    # Signed out for good, and the partner's history stays readable without my words.
    assert client.get("/account/").status_code == 302
    pairing = fetch(app, Pairing, world["pairing"])
    assert pairing.status == PairingStatus.ENDED
    with app.app_context():
        db = get_session()
        bodies = [(m.body, m.deleted_at is not None) for m in db.scalars(
            select(Message).where(Message.pairing_id == world["pairing"]).order_by(Message.id))]
        assert bodies == [("", True), ("Grace's reply stays", False)]
        assert db.scalar(select(Meeting.discussed)) == "Shared log stays"
        assert db.scalar(select(Agreement.author_id)) is None
        assert not db.scalars(select(PrepNote)).all() and not db.scalars(select(Reflection)).all()
        grace_notices = db.scalars(select(Notification).where(
            Notification.user_id == world["grace"])).all()
        assert grace_notices and all(NAME not in str(n.data) for n in grace_notices)
    grace = app.test_client()
    login(app, grace, world["grace"])
    page = grace.get(f"/pairings/{world['pairing']}")
    assert page.status_code == 200 and "A former member" in page.get_data(as_text=True)


def test_the_api_deletes_too_and_a_wrong_password_keeps_the_account(
        app: Flask, world: dict[str, int]) -> None:
    headers = bearer(app, world["me"])
    client = app.test_client()
    wrong = client.delete("/api/v1/me", headers=headers, json={"password": "nope",
                                                               "confirm": True})
    assert wrong.status_code == 422 and "password" in wrong.get_json()["error"]["fields"]
    assert client.delete("/api/v1/me", headers=headers,
                         json={"password": PASSWORD, "confirm": True}).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        assert get_session().execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0


def test_a_deleted_mentee_is_never_matched_again(app: Flask, world: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, world["me"])
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    with app.app_context():
        from mentorship.models import Enrolment
        from mentorship.services.rounds import free_mentee
        db = get_session()
        assert not db.scalars(select(Enrolment).where(Enrolment.user_id == world["me"],
                                                      free_mentee())).all()
