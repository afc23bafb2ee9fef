"""Privacy walk: every goals and feedback URL and API path of pair A is 404 for the
mentor of pair B, an admin and a stranger, and none of A's words reach them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    ActionItem,
    Feedback,
    FitAnswer,
    FitCheck,
    Goal,
    GoalEvent,
    Pairing,
    PairingStatus,
    Role,
)
from tests.api.helpers import bearer
from tests.factories import create, signed_in
from tests.test_goals_fixtures import build_pairs

SECRETS = ("Secret goal of pair A", "Secret measure of A", "Secret step of A",
           "Secret praise of A", "Read the SRE book")


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    ids = build_pairs(app)

    def fill(session: Any) -> dict[str, int]:
        goal = Goal(pairing_id=ids["pairing"], title=SECRETS[0], measure=SECRETS[1])
        session.add(goal)
        session.flush()
        item = ActionItem(pairing_id=ids["pairing"], goal_id=goal.id, title=SECRETS[2],
                          owner=Role.MENTEE)
        session.add_all([item, GoalEvent(goal_id=goal.id, actor_id=ids["ada"],
                                         change={"action": "created"}),
                         Feedback(pairing_id=ids["pairing"], meeting_id=ids["completed"],
                                  author_id=ids["ada"], author_role=Role.MENTEE, rating=2,
                                  went_well=SECRETS[3]),
                         FitCheck(pairing_id=ids["pairing"], author_role=Role.MENTEE,
                                  answer=FitAnswer.NO)])
        session.flush()
        return {"goal": goal.id, "item": item.id}
    return ids | create(app, fill)


def page_requests(p: dict[str, int], pairing: int) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/pairings/{pairing}"
    goal = f"{base}/goals/{p['goal']}"
    feedback = f"{base}/sessions/{p['completed']}/feedback"
    return [("get", f"{base}/goals", {}), ("get", goal, {}), ("get", feedback, {}),
            ("get", f"{base}/fit", {}),
            ("post", f"{base}/goals", {"title": "Taken over", "progress": "0"}),
            ("post", goal, {"title": "Taken over", "progress": "0", "version": "1"}),
            ("post", f"{goal}/items", {"title": "Taken over", "owner": "mentor"}),
            ("post", f"{base}/items/{p['item']}", {"done": "1"}),
            ("post", f"{base}/items/{p['session_item']}", {"done": "1"}),
            ("post", feedback, {"rating": "1", "went_well": "Taken over"}),
            ("post", f"{base}/fit", {"answer": "yes"}), ("post", f"{base}/fit/end", {})]


def api_requests(p: dict[str, int], pairing: int) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/v1/pairings/{pairing}"
    goal = f"{base}/goals/{p['goal']}"
    feedback = f"{base}/sessions/{p['completed']}/feedback"
    return [("get", f"{base}/goals", {}), ("post", f"{base}/goals", {"title": "Taken over"}),
            ("get", goal, {}), ("patch", goal, {"title": "Taken over"}),
            ("post", f"{goal}/items", {"title": "Taken over", "owner": "mentor"}),
            ("patch", f"{base}/items/{p['item']}", {"done": True}),
            ("patch", f"{base}/items/{p['session_item']}", {"done": True}),
            ("get", feedback, {}), ("post", feedback, {"rating": 1}),
            ("get", f"{base}/fit", {}), ("put", f"{base}/fit", {"answer": "yes"})]


def state(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        db = get_session()
        counts = tuple(db.scalar(select(func.count()).select_from(m))
                       for m in (Goal, GoalEvent, ActionItem, Feedback, FitCheck))
        done = db.scalar(select(func.count()).select_from(ActionItem)
                         .where(ActionItem.done_at.is_not(None)))
        return (*counts, done, db.get(Pairing, 1).status)


@pytest.mark.parametrize("who", ["bob", "admin", "stranger"])
def test_every_goals_and_feedback_url_of_pair_a_is_not_found(app: Flask, pair: dict[str, int],
                                                            who: str) -> None:
    before = state(app)
    client = signed_in(app, pair[who])
    # Pair A's ids, directly and through B's own pairing (which Bob may open).
    for pairing in (pair["pairing"], pair["other"]):
        for method, url, data in page_requests(pair, pairing):
            if pairing == pair["other"] and url.endswith(("/goals", "/fit", "/fit/end")):
                continue  # B's own lists: not A's objects
            response = getattr(client, method)(url, data=data)
            assert response.status_code == 404, (who, method, url)
            assert not any(s in response.get_data(as_text=True) for s in SECRETS), url
    headers = bearer(app, pair[who])
    for pairing in (pair["pairing"], pair["other"]):
        for method, url, body in api_requests(pair, pairing):
            if pairing == pair["other"] and url.endswith(("/goals", "/fit")):
                continue
            response = getattr(client, method)(url, json=body or None, headers=headers)
            assert response.status_code == 404, (who, method, url)
            assert not any(s in response.get_data(as_text=True) for s in SECRETS), url
    for url in ("/", "/pairings/", "/notifications/", f"/pairings/{pair['other']}/goals",
                f"/pairings/{pair['other']}/fit", f"/admin/programs/{pair['program']}/pairings",
                f"/api/v1/pairings/{pair['other']}/goals", f"/api/v1/pairings/{pair['other']}/fit"):
        text = client.get(url, headers=headers if url.startswith("/api") else None
                          ).get_data(as_text=True)
        assert not any(s in text for s in SECRETS), url
    assert state(app) == before
    assert before[-1] == PairingStatus.ACTIVE
