"""The OpenAPI description of the notification preferences routes."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, obj, operation, text
from mentorship.models import Channel
from mentorship.services.notifications import GROUPS, Kind

CHANNEL = {"enum": [c.value for c in Channel],
           "description": "app: in the app only; email: by email at once too; digest: in "
                          "one daily email too"}

SCHEMAS: dict[str, Any] = {
    "NotificationPreferences": obj({
        "groups": {"type": "array", "description": "The groups the preferences page shows; "
                                                   "channel is the one most of its kinds use",
                   "items": obj({"name": {"enum": [name for name, _l, _k in GROUPS]},
                                 "label": text(),
                                 "kinds": {"type": "array",
                                           "items": {"enum": [k.value for k in Kind]}},
                                 "channel": CHANNEL}, ("name", "label", "kinds", "channel"))},
        "kinds": obj({k.value: CHANNEL for k in Kind}, tuple(k.value for k in Kind))},
        ("groups", "kinds")),
    "NotificationPreferencesUpdate": obj(
        {name: CHANNEL for name, _l, _k in GROUPS} | {k.value: CHANNEL for k in Kind},
        closed=True),
}

PATHS: dict[str, Any] = {
    "/me/notification-preferences": {
        "get": operation("How you get each kind of notification", 200,
                         "NotificationPreferences"),
        "put": operation("Choose how you get notifications, by group or by kind", 200,
                         "NotificationPreferences", body="NotificationPreferencesUpdate",
                         errors=(*WRITE_ERRORS, 409),
                         description="Keys are group names or kinds; a kind wins over its "
                                     "group. Kinds not named keep their channel."),
    },
}
