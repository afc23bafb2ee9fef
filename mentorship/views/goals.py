"""The goals section of a pair's workspace: goals, their action items and history, and
the action items that came out of session logs.

Every page loads the pairing through ``workspace.load`` (404 for anyone outside the
pair, admins too) and every goal or item through that pairing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField

from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, VersionedForm, form_for
from mentorship.models import Goal, Pairing
from mentorship.services import feedback, goals
from mentorship.services.workspace import role_in
from mentorship.views import FormPage
from mentorship.views.workspace import load, section_page

bp = Blueprint("goals", __name__)

NewGoalForm = form_for("NewGoalForm", goals.GOAL)
GoalForm = form_for("GoalForm", goals.GOAL, base=VersionedForm)
ItemForm = form_for("ItemForm", goals.ITEM)


class ToggleForm(ConfirmForm):
    """Tick or untick one item; ``back`` names the page to return to."""

    done = HiddenField()
    back = HiddenField()


@bp.get("/pairings/<int:pairing_id>/goals")
@login_required
def index(pairing_id: int) -> tuple[str, int]:
    return _index_page(load(pairing_id), NewGoalForm.from_request()).render()


@bp.post("/pairings/<int:pairing_id>/goals")
@login_required
def create(pairing_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    form = NewGoalForm.from_request()
    page = _index_page(pairing, form)
    if not form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    goal = goals.create_goal(db, pairing, current_user, form.values(goals.GOAL))
    db.commit()
    flash(f"Goal “{goal.title}” added. Break it into action items below.", "success")
    return redirect(url_for("goals.detail", pairing_id=pairing.id, goal_id=goal.id))


@bp.get("/pairings/<int:pairing_id>/goals/<int:goal_id>")
@login_required
def detail(pairing_id: int, goal_id: int) -> tuple[str, int]:
    pairing = load(pairing_id)
    goal = goals.get_goal(get_session(), pairing, goal_id)
    return _goal_page(pairing, goal).render()


@bp.post("/pairings/<int:pairing_id>/goals/<int:goal_id>")
@login_required
def edit(pairing_id: int, goal_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    db = get_session()
    goal = goals.get_goal(db, pairing, goal_id)
    form = GoalForm.from_request()
    page = _goal_page(pairing, goal, goal_form=form)
    if not form.is_submitted_and_valid():
        return page.render()
    goals.edit_goal(db, pairing, goal, current_user, form.values(goals.GOAL),
                    version=form.version.data)
    db.commit()
    flash("Goal saved.", "success")
    return redirect(url_for("goals.detail", pairing_id=pairing.id, goal_id=goal.id))


@bp.post("/pairings/<int:pairing_id>/goals/<int:goal_id>/items")
@login_required
def add_item(pairing_id: int, goal_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    db = get_session()
    goal = goals.get_goal(db, pairing, goal_id)
    form = ItemForm.from_request()
    page = _goal_page(pairing, goal, item_form=form)
    if not form.is_submitted_and_valid():
        return page.render()
    item = goals.add_item(db, pairing, goal, current_user, form.values(goals.ITEM))
    db.commit()
    flash(f"Action item “{item.title}” added.", "success")
    return redirect(url_for("goals.detail", pairing_id=pairing.id, goal_id=goal.id))


@bp.post("/pairings/<int:pairing_id>/items/<int:item_id>")
@login_required
def toggle_item(pairing_id: int, item_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    db = get_session()
    item = goals.get_item(db, pairing, item_id)
    form = ToggleForm.from_request()
    goal = db.get(Goal, item.goal_id) if item.goal_id and form.back.data == "goal" else None
    page = (_goal_page(pairing, goal, toggle_form=form) if goal
            else _index_page(pairing, NewGoalForm(formdata=None), form))
    if not form.is_submitted_and_valid():
        return page.render(400)
    goals.set_done(db, pairing, item, current_user, form.done.data)
    db.commit()
    back = url_for("goals.detail", pairing_id=pairing.id, goal_id=goal.id) if goal \
        else url_for("goals.index", pairing_id=pairing.id)
    return redirect(f"{back}#item-{item.id}")


def _index_page(pairing: Pairing, form: BaseForm, toggle_form: BaseForm | None = None
                ) -> FormPage:
    db = get_session()
    role = role_in(pairing, current_user)
    items = goals.items_of(db, pairing)
    by_goal: dict[int, list[goals.Item]] = {}
    for entry in items:
        if entry.item.goal_id is not None:
            by_goal.setdefault(entry.item.goal_id, []).append(entry)
    return section_page("workspace/goals.html", toggle_form or form, pairing, "goals",
                        goal_form=form, goals=goals.goals_of(db, pairing), by_goal=by_goal,
                        from_sessions=[e for e in items if e.item.goal_id is None],
                        toggle_form=toggle_form or ToggleForm(formdata=None),
                        owner_labels=goals.OWNER_LABELS,
                        awaiting=feedback.awaiting(db, pairing, role),
                        fit_due=feedback.fit_check_due(db, pairing, role))


def _goal_page(pairing: Pairing, goal: Goal, *, goal_form: BaseForm | None = None,
               item_form: BaseForm | None = None, toggle_form: BaseForm | None = None
               ) -> FormPage:
    db = get_session()
    edit_form = goal_form or GoalForm(formdata=None, version=goal.version,
                                      **goals.GOAL.form_data(goal))
    new_item = (item_form or ItemForm(formdata=None)).ids_prefixed("item")
    toggle = toggle_form or ToggleForm(formdata=None)
    return section_page("workspace/goal.html", toggle_form or item_form or edit_form, pairing,
                        "goals", goal=goal, goal_form=edit_form, item_form=new_item,
                        toggle_form=toggle, items=goals.items_of(db, pairing, goal),
                        history=goals.history(db, goal), owner_labels=goals.OWNER_LABELS)
