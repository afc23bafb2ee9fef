"""Everything of a pair is the pair's alone: every workspace URL and API path of pair A
answers 404 to the mentor of pair B, to an admin and to a stranger, for every method,
and none of A's words appear in any answer they get.

The routes are read from the app's URL map, so a section added later is walked too;
a route with an id this test cannot fill fails it, rather than going unchecked.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from mentorship.models import (
    ActionItem,
    Agreement,
    Cadence,
    Feedback,
    FitAnswer,
    FitCheck,
    Goal,
    GoalEvent,
    Meeting,
    MeetingStatus,
    Message,
    Pairing,
    PrepNote,
    Reflection,
    Role,
    utcnow,
)
from tests.api.helpers import bearer
from tests.factories import create, login, make_program, make_user
from tests.flows import mentee, mentor, paired, person

SECRET = "Zanzibar-secret"  # in every piece of pair A's text
# Routes about pairs but not of one pair's workspace (admins' metadata lists).
NOT_WORKSPACE = ("/admin/",)


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    def build(session: Any) -> dict[str, Any]:
        program = make_program(session)
        a_mentor = mentor(session, program, "Alma Mentor")
        a_mentee = mentee(session, program, "Abe Mentee")
        a = paired(session, a_mentee, a_mentor)
        b_mentor = mentor(session, program, "Bea Mentor")
        paired(session, mentee(session, program, "Bo Mentee"), b_mentor)
        now = utcnow()
        meeting = Meeting(pairing_id=a.id, starts_at=now - timedelta(days=1),
                          duration_minutes=60, status=MeetingStatus.COMPLETED,
                          agenda=SECRET, discussed=SECRET, logged_at=now,
                          next_check_in=date.today())
        goal = Goal(pairing_id=a.id, title=SECRET, description=SECRET)
        session.add_all([meeting, goal,
                         Agreement(pairing_id=a.id, number=1, cadence=Cadence.WEEKLY,
                                   session_minutes=60, mentee_wants=SECRET),
                         Message(pairing_id=a.id, author_id=a_mentee.user_id, body=SECRET,
                                 client_key="k1"),
                         FitCheck(pairing_id=a.id, author_role=Role.MENTEE, answer=FitAnswer.NO)])
        session.flush()
        item = ActionItem(pairing_id=a.id, goal_id=goal.id, title=SECRET, owner=Role.MENTEE)
        session.add_all([item, PrepNote(meeting_id=meeting.id, author_id=a_mentee.user_id,
                                        wins=SECRET),
                         Feedback(pairing_id=a.id, meeting_id=meeting.id,
                                  author_role=Role.MENTEE, went_well=SECRET, rating=5),
                         GoalEvent(goal_id=goal.id, change={"title": SECRET})])
        session.flush()
        message = session.query(Message).filter_by(pairing_id=a.id).one()
        session.add(Reflection(pairing_id=a.id, author_role=Role.MENTOR, what_changed=SECRET))
        return {
            "ids": {"pairing_id": a.id, "meeting_id": meeting.id, "session_id": meeting.id,
                    "goal_id": goal.id, "item_id": item.id, "action_item_id": item.id,
                    "message_id": message.id},
            "people": {"other mentor": b_mentor.user_id,
                       "admin": make_user(session, name="Admin", is_admin=True).id,
                       "stranger": person(session, "Stranger").id},
            "insider": a_mentee.user_id}
    return create(app, build)


def workspace_routes(app: Flask, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, URL) of every route that names an object of a pair."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments & {"pairing_id", "meeting_id", "session_id", "message_id",
                                 "goal_id", "item_id", "action_item_id"}:
            continue
        if rule.rule.startswith(NOT_WORKSPACE) or rule.rule.startswith("/api/v1/admin"):
            continue
        unknown = rule.arguments - set(ids)
        assert not unknown, f"{rule.rule}: fill {unknown} in this test"
        url = rule.build({name: ids[name] for name in rule.arguments})[1]
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_workspace_route_is_walked(app: Flask, world: dict[str, Any]) -> None:
    routes = workspace_routes(app, world["ids"])
    assert len(routes) >= 10
    insider = app.test_client()
    login(app, insider, world["insider"])
    pairing = world["ids"]["pairing_id"]
    assert SECRET in insider.get(f"/pairings/{pairing}/agreement").get_data(as_text=True)


@pytest.mark.parametrize("who", ["other mentor", "admin", "stranger"])
def test_outsiders_get_404_and_none_of_the_words(app: Flask, world: dict[str, Any],
                                                 who: str) -> None:
    user_id = world["people"][who]
    page_client = app.test_client()
    login(app, page_client, user_id)
    api_headers = bearer(app, user_id)
    for method, url in workspace_routes(app, world["ids"]):
        is_api = url.startswith("/api/")
        send = getattr(app.test_client() if is_api else page_client, method.lower())
        answer = send(url, headers=api_headers if is_api else {},
                      **({"json": {}} if is_api and method != "GET" else {}))
        assert answer.status_code == 404, (who, method, url, answer.status_code)
        assert SECRET not in answer.get_data(as_text=True), (who, method, url)


def test_admins_keep_the_metadata_only(app: Flask, world: dict[str, Any]) -> None:
    client = app.test_client()
    login(app, client, world["people"]["admin"])
    with app.app_context():
        from mentorship.db import get_session
        program_id = get_session().get(Pairing, world["ids"]["pairing_id"]).program_id
    page = client.get(f"/admin/programs/{program_id}/pairings")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Abe Mentee" in text and SECRET not in text
