"""The pair's goals, their action items, and the history of every change. Take a session;
never commit.

Both sides create and edit goals. An edit names the version it started from (the
``version_id_col`` makes the UPDATE itself conditional), so two people editing at once
cannot overwrite each other: the later one gets 409 with what changed meanwhile. Every
change, to a goal or to one of its items, is kept as a ``GoalEvent`` (who, what, when).

Action items also come from session logs: those have no goal (``goal_id`` NULL) and name
their meeting; they are listed and ticked here like the others, without a goal history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import (
    PROGRESS_MAX,
    ActionItem,
    Goal,
    GoalEvent,
    GoalStatus,
    Meeting,
    Pairing,
    Role,
    User,
    utcnow,
)
from mentorship.services.errors import FieldErrors
from mentorship.services.specs import Field, Spec, choices_of, column_length
from mentorship.services.times import long_date
from mentorship.services.versions import apply_changes
from mentorship.services.workspace import of_pairing, require_active

OWNER_LABELS = {Role.MENTEE.value: "The mentee", Role.MENTOR.value: "The mentor"}

GOAL = Spec((
    Field("title", "Goal", required=True, max_length=column_length(Goal.title),
          help="Specific: what will be different, e.g. 'Lead a design review on my own'."),
    Field("description", "Why it matters", kind="textarea"),
    Field("measure", "How success is measured", kind="textarea",
          help="What you will be able to point at when it is done."),
    Field("target_date", "Target date", kind="date"),
    Field("status", "Status", kind="choice", enum=GoalStatus, default=GoalStatus.OPEN,
          choices=choices_of(GoalStatus)),
    Field("progress", f"Progress (0–{PROGRESS_MAX} %)", kind="int", required=True, low=0,
          high=PROGRESS_MAX, default=0),
))

ITEM = Spec((
    Field("title", "Action item", required=True, max_length=column_length(ActionItem.title),
          help="One concrete step, e.g. 'Draft the review agenda'."),
    Field("owner", "Who does it", kind="choice", required=True, enum=Role, default=Role.MENTEE,
          choices=choices_of(Role, OWNER_LABELS)),
    Field("due_on", "Due", kind="date"),
))


@dataclass
class Item:
    """An action item as a page or the API shows it, with its session date if any."""

    item: ActionItem
    session_on: datetime | None = None

    def overdue(self, today: date) -> bool:
        """Due before ``today`` and not done."""
        return self.item.done_at is None and self.item.due_on is not None \
            and self.item.due_on < today


@dataclass
class HistoryEntry:
    """One change on a goal: when, by whom, and what, as lines of plain text."""

    at: datetime
    actor: str
    lines: list[str]


def goals_of(session: Session, pairing: Pairing) -> list[Goal]:
    """The pair's goals: open first, then by target date (undated last), oldest first."""
    return list(session.scalars(
        select(Goal).where(Goal.pairing_id == pairing.id)
        .order_by(Goal.status != GoalStatus.OPEN, Goal.target_date.is_(None), Goal.target_date,
                  Goal.id)))


def items_of(session: Session, pairing: Pairing, goal: Goal | None = None) -> list[Item]:
    """Action items of the pair (or of one goal), soonest due first: one query."""
    query = (select(ActionItem, Meeting.starts_at)
             .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
             .where(ActionItem.pairing_id == pairing.id))
    if goal is not None:
        query = query.where(ActionItem.goal_id == goal.id)
    rows = session.execute(query.order_by(ActionItem.due_on.is_(None), ActionItem.due_on,
                                          ActionItem.id))
    return [Item(item, starts_at) for item, starts_at in rows]


def get_goal(session: Session, pairing: Pairing, goal_id: int) -> Goal:
    """A goal of this pairing; NotFound for any other id."""
    return of_pairing(session, pairing, Goal, goal_id, "goal")


def get_item(session: Session, pairing: Pairing, item_id: int) -> ActionItem:
    """An action item of this pairing; NotFound for any other id."""
    return of_pairing(session, pairing, ActionItem, item_id, "action item")


def shown(field: Field, value: Any) -> str:
    """A stored value as the history reads it."""
    if value is None or value == "":
        return "(empty)"
    if field.kind == "choice":
        raw = field.dump(value)
        return dict(field.choices).get(raw, str(raw))
    if isinstance(value, date):
        return long_date(value)
    if field.name == "progress":
        return f"{value} %"
    return str(value)


def create_goal(session: Session, pairing: Pairing, user: User, data: dict[str, Any]) -> Goal:
    """A new goal, with its first history entry."""
    require_active(pairing)
    values = GOAL.clean(data, partial=False)
    goal = Goal(pairing_id=pairing.id, created_by_id=user.id, **values)
    session.add(goal)
    session.flush()
    _record(session, goal, user, {"action": "created",
                                  "fields": {name: [None, shown(GOAL[name], value)]
                                             for name, value in values.items()
                                             if value not in (None, "")}})
    return goal


def edit_goal(session: Session, pairing: Pairing, goal: Goal, user: User,
              data: dict[str, Any], *, version: object) -> Goal:
    """Change the fields sent; StaleEdit (409) if ``version`` is older than the stored one.

    Sending what is stored already changes nothing and records nothing (whatever the
    version: nothing could be overwritten).
    """
    require_active(pairing)
    values = GOAL.clean(data)
    changed = {name: value for name, value in values.items() if getattr(goal, name) != value}
    if not changed:
        return goal
    before = {name: shown(GOAL[name], getattr(goal, name)) for name in changed}
    goal.updated_at = utcnow()  # in the same UPDATE (the session is rolled back on 409)
    apply_changes(session, goal, changed, version=version, spec=GOAL)
    _record(session, goal, user, {"action": "edited", "fields": {
        name: [before[name], shown(GOAL[name], value)] for name, value in changed.items()}})
    return goal


def add_item(session: Session, pairing: Pairing, goal: Goal, user: User,
             data: dict[str, Any]) -> ActionItem:
    """A new action item under ``goal``, recorded in the goal's history."""
    require_active(pairing)
    values = ITEM.clean(data, partial=False)
    item = ActionItem(pairing_id=pairing.id, goal_id=goal.id, created_by_id=user.id, **values)
    session.add(item)
    session.flush()
    due = f", due {long_date(item.due_on)}" if item.due_on else ""
    _record(session, goal, user, {"action": "item_added", "item": item.title,
                                  "owner": item.owner.value, "due_on": due})
    return item


def set_done(session: Session, pairing: Pairing, item: ActionItem, user: User,
             done: object) -> ActionItem:
    """Tick or untick an item; a goal's item records it in the goal's history.

    Setting the state it has already changes nothing (a double click is harmless).
    """
    require_active(pairing)
    wanted = _flag(done)
    if wanted == (item.done_at is not None):
        return item
    item.done_at = utcnow() if wanted else None
    session.flush()
    if item.goal_id is not None:
        goal = session.get(Goal, item.goal_id)
        assert goal is not None
        _record(session, goal, user, {"action": "item_done" if wanted else "item_undone",
                                      "item": item.title})
    return item


def _flag(value: object) -> bool:
    """``done`` as sent by a form ("1"/"0") or JSON (true/false)."""
    if isinstance(value, bool):
        return value
    if value in ("1", "true", "on"):
        return True
    if value in ("0", "false", ""):
        return False
    raise FieldErrors({"done": "Must be true or false."})


def _record(session: Session, goal: Goal, user: User, change: dict[str, Any]) -> None:
    session.add(GoalEvent(goal_id=goal.id, actor_id=user.id, change=change))
    session.flush()


def history(session: Session, goal: Goal) -> list[HistoryEntry]:
    """Every change on ``goal``, newest first, with who made it: one query."""
    rows = session.execute(select(GoalEvent, User.name)
                           .outerjoin(User, User.id == GoalEvent.actor_id)
                           .where(GoalEvent.goal_id == goal.id)
                           .order_by(GoalEvent.at.desc(), GoalEvent.id.desc()))
    return [HistoryEntry(event.at, name or "A former member", describe(event.change))
            for event, name in rows]


def _label(name: str) -> str:
    """A field's label without its hint in brackets: "Progress", not "Progress (0–100 %)"."""
    return GOAL[name].label.split(" (")[0]


def describe(change: dict[str, Any]) -> list[str]:
    """A history entry's change as sentences: "Progress: 20 % → 50 %"."""
    action = change.get("action")
    fields = change.get("fields", {})
    if action == "created":
        return ["Created the goal"] + [f"{_label(n)}: {new}" for n, (_, new) in fields.items()
                                       if n in GOAL.by_name]
    if action == "edited":
        return [f"{_label(n)}: {old} → {new}" for n, (old, new) in fields.items()
                if n in GOAL.by_name]
    item = change.get("item", "")
    if action == "item_added":
        owner = OWNER_LABELS.get(change.get("owner", ""), "").lower()
        return [f"Added the action item “{item}” for {owner}{change.get('due_on', '')}"]
    if action == "item_done":
        return [f"Marked “{item}” done"]
    if action == "item_undone":
        return [f"Marked “{item}” not done"]
    return ["Changed the goal"]
