"""The caller's notifications and notification preferences in the JSON API."""

from __future__ import annotations

from mentorship.api.auth import api_login_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, optional_up_to_id
from mentorship.db import get_session
from mentorship.models import Channel
from mentorship.services import notifications
from mentorship.services.notifications import GROUPS, Kind


@bp.get("/notifications")
@api_login_required
def list_notifications() -> dict[str, object]:
    """The caller's newest notifications (one page) and how many are unread."""
    db = get_session()
    user = current_api_user()
    items = notifications.notifications_of(db, user)
    return {"unread": notifications.unread_count(db, user),
            "notifications": [{"id": n.id, "kind": n.kind, "text": notifications.describe(n),
                               "subject": {"type": n.subject_type, "id": n.subject_id},
                               "created_at": iso(n.created_at), "read_at": iso(n.read_at)}
                              for n in items]}


@bp.post("/notifications/read")
@api_login_required
def read_notifications() -> dict[str, object]:
    """Mark read everything up to ``up_to_id`` (all when absent)."""
    up_to = optional_up_to_id()
    db = get_session()
    marked = notifications.mark_read(db, current_api_user(), up_to)
    db.commit()
    return {"marked": marked}


def _preferences(preferences: dict[Kind, Channel]) -> dict[str, object]:
    channels = notifications.group_channels(preferences)
    return {"groups": [{"name": name, "label": label, "kinds": [k.value for k in kinds],
                        "channel": channels[name].value} for name, label, kinds in GROUPS],
            "kinds": {kind.value: channel.value for kind, channel in preferences.items()}}


@bp.get("/me/notification-preferences")
@api_login_required
def get_notification_preferences() -> dict[str, object]:
    """How the caller gets each kind of notice: "app", "email" (at once) or "digest"."""
    return _preferences(notifications.preferences_of(get_session(), current_api_user()))


@bp.put("/me/notification-preferences")
@api_login_required
def put_notification_preferences() -> dict[str, object]:
    """Set channels by group name or by kind (a kind wins over its group); others stay."""
    body = json_object({name for name, _label, _kinds in GROUPS} | {k.value for k in Kind})
    db = get_session()
    saved = notifications.set_preferences(db, current_api_user(), body)
    db.commit()
    return _preferences(saved)
