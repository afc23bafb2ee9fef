"""Goals, their action items and history, and the session's next steps, on the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import ActionItem, Goal, GoalEvent, Pairing
from mentorship.services import pairings
from tests.factories import create, signed_in
from tests.helpers import count_queries
from tests.test_goals_fixtures import build_pairs

GOAL = {"title": "Lead a design review", "measure": "I run one on my own",
        "description": "Next step to senior", "target_date": "2030-03-01", "status": "open",
        "progress": "10"}


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    return build_pairs(app)


def goal_ids(app: Flask, pairing_id: int) -> list[int]:
    with app.app_context():
        return list(get_session().scalars(select(Goal.id).where(Goal.pairing_id == pairing_id)
                                          .order_by(Goal.id)))


def events(app: Flask, goal_id: int) -> list[GoalEvent]:
    with app.app_context():
        found = list(get_session().scalars(select(GoalEvent).where(GoalEvent.goal_id == goal_id)
                                           .order_by(GoalEvent.id)))
        get_session().expunge_all()
        return found


def add_goal(app: Flask, pair: dict[str, int], who: str = "ada", **fields: str) -> int:
    response = signed_in(app, pair[who]).post(f"/pairings/{pair['pairing']}/goals",
                                              data=GOAL | fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    return goal_ids(app, pair["pairing"])[-1]


def test_both_sides_set_goals_and_see_them_with_their_history(app: Flask,
                                                             pair: dict[str, int]) -> None:
    first = add_goal(app, pair, "ada")
    add_goal(app, pair, "grace", title="Speak at a meetup", target_date="")
    page = signed_in(app, pair["grace"]).get(f"/pairings/{pair['pairing']}/goals")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Lead a design review" in text and "Speak at a meetup" in text
    assert "I run one on my own" in text and "1 Mar 2030" in text
    detail = signed_in(app, pair["grace"]).get(f"/pairings/{pair['pairing']}/goals/{first}")
    history = detail.get_data(as_text=True).split('id="goal-history"')[1]
    assert "Ada Lovelace" in history and "Created the goal" in history
    assert "Progress: 10 %" in history
    (created,) = events(app, first)
    assert created.change["action"] == "created" and created.at is not None


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"title": "  "}, "title", "This field is required."),
    ({"title": "x" * 201}, "title", "Use at most 200 characters."),
    ({"progress": "150"}, "progress", "100"),
    ({"progress": "ten"}, "progress", "whole number"),
    ({"target_date": "next week"}, "target_date", "date"),
    ({"status": "finished"}, "status", ""),
])
def test_bad_input_is_shown_at_its_field_and_nothing_is_saved(
        app: Flask, pair: dict[str, int], fields: dict[str, str], field: str,
        message: str) -> None:
    response = signed_in(app, pair["ada"]).post(f"/pairings/{pair['pairing']}/goals",
                                                data=GOAL | fields)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in text
    assert message in text.split(f'id="{field}-error"')[1][:200]
    assert goal_ids(app, pair["pairing"]) == []


def test_an_edit_is_recorded_field_by_field(app: Flask, pair: dict[str, int]) -> None:
    goal = add_goal(app, pair)
    grace = signed_in(app, pair["grace"])
    saved = grace.post(f"/pairings/{pair['pairing']}/goals/{goal}",
                       data=GOAL | {"progress": "60", "status": "achieved", "version": "1"})
    assert saved.status_code == 302
    page = grace.get(saved.headers["Location"]).get_data(as_text=True)
    history = page.split('id="goal-history"')[1]
    assert "Grace Hopper" in history
    assert "Progress: 10 % → 60 %" in history
    assert "Status: Open → Achieved" in history
    assert "Goal: " not in history.split("Grace Hopper")[1].split("Ada Lovelace")[0]
    edited = events(app, goal)[-1]
    assert edited.actor_id == pair["grace"]
    assert set(edited.change["fields"]) == {"progress", "status"}


def test_a_stale_edit_is_refused_with_what_changed_and_keeps_the_entries(
        app: Flask, pair: dict[str, int]) -> None:
    goal = add_goal(app, pair)
    url = f"/pairings/{pair['pairing']}/goals/{goal}"
    assert signed_in(app, pair["grace"]).post(
        url, data=GOAL | {"progress": "40", "version": "1"}).status_code == 302
    stale = signed_in(app, pair["ada"]).post(
        url, data=GOAL | {"progress": "20", "measure": "Two reviews", "version": "1"})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone saved this after you opened it" in text and "40 %" in text
    assert "Two reviews" in text  # the entries are kept
    assert 'name="version" type="hidden" value="2"' in text
    with app.app_context():
        assert get_session().get(Goal, goal).progress == 40
    assert len(events(app, goal)) == 2


def test_action_items_are_added_ticked_and_kept_in_the_history(app: Flask,
                                                               pair: dict[str, int]) -> None:
    goal = add_goal(app, pair)
    grace = signed_in(app, pair["grace"])
    base = f"/pairings/{pair['pairing']}"
    late = (date.today() - timedelta(days=2)).isoformat()
    bad = grace.post(f"{base}/goals/{goal}/items", data={"title": "", "owner": "boss"})
    assert bad.status_code == 422 and 'id="item-title-error"' in bad.get_data(as_text=True)
    assert grace.post(f"{base}/goals/{goal}/items",
                      data={"title": "Draft the agenda", "owner": "mentee", "due_on": late}
                      ).status_code == 302
    with app.app_context():
        item = get_session().scalar(select(ActionItem).where(ActionItem.goal_id == goal))
        item_id = item.id
    page = grace.get(f"{base}/goals").get_data(as_text=True)
    row = page.split(f'id="item-{item_id}"')[1].split("</li>")[0]
    assert "Draft the agenda" in row and "Overdue" in row and "The mentee" in row
    assert grace.post(f"{base}/items/{item_id}", data={"done": "1", "back": "goal"}
                      ).status_code == 302
    assert grace.post(f"{base}/items/{item_id}", data={"done": "1", "back": "goal"}
                      ).status_code == 302  # a second click changes nothing
    page = grace.get(f"{base}/goals/{goal}").get_data(as_text=True)
    row = page.split(f'id="item-{item_id}"')[1].split("</li>")[0]
    assert "Done" in row and "Overdue" not in row and "not done" in row
    assert signed_in(app, pair["ada"]).post(f"{base}/items/{item_id}", data={"done": "0"}
                                            ).status_code == 302
    actions = [e.change["action"] for e in events(app, goal)]
    assert actions == ["created", "item_added", "item_done", "item_undone"]
    history = signed_in(app, pair["ada"]).get(f"{base}/goals/{goal}").get_data(as_text=True)
    assert "Marked “Draft the agenda” done" in history
    assert "Marked “Draft the agenda” not done" in history


def test_next_steps_from_sessions_are_listed_and_ticked_here(app: Flask,
                                                            pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    base = f"/pairings/{pair['pairing']}"
    page = ada.get(f"{base}/goals").get_data(as_text=True)
    sessions = page.split('id="from-sessions"')[1]
    assert "Read the SRE book" in sessions and "Overdue" in sessions
    assert "from the session of" in sessions
    assert ada.post(f"{base}/items/{pair['session_item']}", data={"done": "1"}).status_code == 302
    sessions = ada.get(f"{base}/goals").get_data(as_text=True).split('id="from-sessions"')[1]
    assert "Done" in sessions and "Overdue" not in sessions
    assert ada.post(f"{base}/items/{pair['session_item']}", data={"done": "maybe"}
                    ).status_code == 422


def test_the_workspace_is_read_only_after_the_end(app: Flask, pair: dict[str, int]) -> None:
    goal = add_goal(app, pair)

    def end(_session: object) -> None:
        pairing = get_session().get(Pairing, pair["pairing"])
        pairings.end_pairing(get_session(), pairing, pairing.mentee.user, "goals_met")
    create(app, end)
    ada = signed_in(app, pair["ada"])
    base = f"/pairings/{pair['pairing']}"
    page = ada.get(f"{base}/goals")
    assert page.status_code == 200 and "Lead a design review" in page.get_data(as_text=True)
    assert "Add the goal" not in page.get_data(as_text=True)
    assert "Mark “" not in page.get_data(as_text=True)
    for url, data in ((f"{base}/goals", GOAL), (f"{base}/goals/{goal}", GOAL | {"version": "1"}),
                      (f"{base}/goals/{goal}/items", {"title": "x", "owner": "mentee"}),
                      (f"{base}/items/{pair['session_item']}", {"done": "1"})):
        refused = ada.post(url, data=data)
        assert refused.status_code == 409, url
        assert "has ended" in refused.get_data(as_text=True)
    assert len(goal_ids(app, pair["pairing"])) == 1 and len(events(app, goal)) == 1


def test_goal_text_is_escaped(app: Flask, pair: dict[str, int]) -> None:
    goal = add_goal(app, pair, title="<script>alert(1)</script>")
    for url in ("goals", f"goals/{goal}"):
        text = signed_in(app, pair["grace"]).get(f"/pairings/{pair['pairing']}/{url}"
                                                 ).get_data(as_text=True)
        assert "<script>alert" not in text and "&lt;script&gt;alert(1)" in text


def test_goal_pages_run_the_same_queries_however_much_there_is(app: Flask,
                                                                pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    base = f"/pairings/{pair['pairing']}"

    def grow(n: int) -> int:
        last = 0
        for i in range(n):
            last = add_goal(app, pair, title=f"Goal {i}")
            for j in range(2):
                ada.post(f"{base}/goals/{last}/items", data={"title": f"Step {j}",
                                                            "owner": "mentor"})
            ada.post(f"{base}/goals/{last}", data=GOAL | {"title": f"Goal {i}", "progress": "50"})
        return last

    def counts(goal: int) -> tuple[int, int]:
        with count_queries(app) as index:
            assert ada.get(f"{base}/goals").status_code == 200
        with count_queries(app) as detail:
            assert ada.get(f"{base}/goals/{goal}").status_code == 200
        return len(index), len(detail)

    small = counts(grow(1))
    assert counts(grow(6)) == small


def test_every_goals_form_carries_a_working_csrf_token(csrf_app: Flask) -> None:
    pair = build_pairs(csrf_app)
    ada = signed_in(csrf_app, pair["ada"])
    url = f"/pairings/{pair['pairing']}/goals"
    page = ada.get(url).get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    assert len(forms) >= 2 and all('name="csrf_token"' in f for f in forms)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    assert ada.post(url, data=GOAL).status_code == 400
    assert ada.post(f"/pairings/{pair['pairing']}/items/{pair['session_item']}",
                    data={"done": "1"}).status_code == 400
    assert goal_ids(csrf_app, pair["pairing"]) == []
    assert ada.post(url, data=GOAL | {"csrf_token": token}).status_code == 302
    ticked = ada.post(f"/pairings/{pair['pairing']}/items/{pair['session_item']}",
                      data={"done": "1", "csrf_token": token})
    assert ticked.status_code == 302
