"""A pair's goals, action items and goal history in the JSON API.

Everything is loaded through the caller's pairing: another pair's goals and items are
404, admins included, exactly as on the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from mentorship.api.auth import api_login_required, caller_pairing, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require, sent_version, versioned
from mentorship.db import get_session
from mentorship.models import Goal, Pairing
from mentorship.services import goals
from mentorship.services.errors import FieldErrors
from mentorship.services.times import local_today


def item_json(entry: goals.Item, today: date) -> dict[str, Any]:
    item = entry.item
    return {"id": item.id, "goal_id": item.goal_id, "meeting_id": item.meeting_id,
            **goals.ITEM.dump(item), "done": item.done_at is not None,
            "done_at": iso(item.done_at), "overdue": entry.overdue(today)}


def goal_json(goal: Goal, items: list[goals.Item], today: date) -> dict[str, Any]:
    return {"id": goal.id, **goals.GOAL.dump(goal), "version": goal.version,
            "created_at": iso(goal.created_at), "updated_at": iso(goal.updated_at),
            "items": [item_json(e, today) for e in items if e.item.goal_id == goal.id]}


def _one_goal(pairing: Pairing, goal: Goal) -> dict[str, Any]:
    db = get_session()
    today = local_today(current_api_user())
    history = [{"at": iso(h.at), "actor": h.actor, "changes": h.lines}
               for h in goals.history(db, goal)]
    return goal_json(goal, goals.items_of(db, pairing, goal), today) | {"history": history}


@bp.get("/pairings/<int:pairing_id>/goals")
@api_login_required
def list_goals(pairing_id: int) -> dict[str, Any]:
    """The pair's goals with their items, and the items that came from session logs."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    items = goals.items_of(db, pairing)
    today = local_today(current_api_user())
    return {"goals": [goal_json(g, items, today) for g in goals.goals_of(db, pairing)],
            "from_sessions": [item_json(e, today) for e in items if e.item.goal_id is None]}


@bp.post("/pairings/<int:pairing_id>/goals")
@api_login_required
def create_goal(pairing_id: int) -> tuple[Any, int, dict[str, str]]:
    pairing = caller_pairing(pairing_id)
    body = json_object(goals.GOAL.names)
    require(body, ("title",))
    db = get_session()
    goal = goals.create_goal(db, pairing, current_api_user(), body)
    db.commit()
    location = url_for(".get_goal", pairing_id=pairing.id, goal_id=goal.id)
    return (_one_goal(pairing, goal), 201,
            {"Location": location, "ETag": f'"{goal.version}"'})


@bp.get("/pairings/<int:pairing_id>/goals/<int:goal_id>")
@api_login_required
def get_goal(pairing_id: int, goal_id: int) -> Any:
    """One goal with its items and its history (who changed what, when), newest first."""
    pairing = caller_pairing(pairing_id)
    return versioned(_one_goal(pairing, goals.get_goal(get_session(), pairing, goal_id)))


@bp.patch("/pairings/<int:pairing_id>/goals/<int:goal_id>")
@api_login_required
def update_goal(pairing_id: int, goal_id: int) -> Any:
    """A partial update; ``If-Match`` or ``version`` makes it conditional (409 if stale)."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    goal = goals.get_goal(db, pairing, goal_id)
    body = json_object((*goals.GOAL.names, "version"))
    version = sent_version(body)
    goals.edit_goal(db, pairing, goal, current_api_user(), body, version=version)
    db.commit()
    return versioned(_one_goal(pairing, goal))


@bp.post("/pairings/<int:pairing_id>/goals/<int:goal_id>/items")
@api_login_required
def add_item(pairing_id: int, goal_id: int) -> tuple[dict[str, Any], int]:
    pairing = caller_pairing(pairing_id)
    db = get_session()
    goal = goals.get_goal(db, pairing, goal_id)
    body = json_object(goals.ITEM.names)
    require(body, ("title", "owner"))
    item = goals.add_item(db, pairing, goal, current_api_user(), body)
    db.commit()
    return item_json(goals.Item(item), local_today(current_api_user())), 201


@bp.patch("/pairings/<int:pairing_id>/items/<int:item_id>")
@api_login_required
def update_item(pairing_id: int, item_id: int) -> dict[str, Any]:
    """Tick (``done: true``) or untick an action item, of a goal or from a session log."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    item = goals.get_item(db, pairing, item_id)
    body = json_object(("done",))
    require(body, ("done",))
    if not isinstance(body["done"], bool):  # JSON says true or false, not "1"
        raise FieldErrors({"done": "Must be true or false."})
    goals.set_done(db, pairing, item, current_api_user(), body["done"])
    db.commit()
    return item_json(goals.Item(item), local_today(current_api_user()))
