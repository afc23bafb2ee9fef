"""The signed-in person's notifications, and how they want each kind delivered."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from mentorship.db import database_unavailable, get_session
from mentorship.forms import BaseForm, ConfirmForm
from mentorship.models import Channel, Notification
from mentorship.services import notifications
from mentorship.services.notifications import describe
from mentorship.views import form_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# Where a notice's subject lives: subject type -> (endpoint, its id argument or None).
# A subject whose section does not exist (yet) is shown without a link.
SUBJECT_PAGES = {"pairing": ("pairings.detail", "pairing_id"),
                 "match_request": ("matching.index", None)}
CHOICES = [SelectChoice(c.value, notifications.CHANNEL_LABELS[c]) for c in Channel]


class PreferencesForm(BaseForm):
    """One labelled choice of channel per group of notices (fields are added below)."""


for _name, _label, _kinds in notifications.GROUPS:
    setattr(PreferencesForm, _name, RadioField(
        _label, choices=CHOICES, validate_choice=False,
        description="Covers: " + "; ".join(notifications.SUBJECTS[k].lower() for k in _kinds)
                    + "."))


def init_app(app: Flask) -> None:
    """Give every template the unread count."""
    app.context_processor(unread)


def unread() -> dict[str, object]:
    """The unread count for the navigation, once per request, for signed-in people."""
    if not current_user.is_authenticated or database_unavailable():
        return {"unread_notifications": 0}
    if "unread_notifications" not in g:
        # Read with the user by the sign-in cookie's query; asked here only for a user
        # loaded otherwise (just signed in).
        loaded = current_user.unread_notifications
        g.unread_notifications = (loaded if loaded is not None
                                  else notifications.unread_count(get_session(), current_user))
    return {"unread_notifications": g.unread_notifications}


def link(notification: Notification) -> str | None:
    """The page of the notice's subject, if that page exists."""
    endpoint, argument = SUBJECT_PAGES.get(notification.subject_type, (None, None))
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    values: dict[str, Any] = {argument: notification.subject_id} if argument else {}
    return url_for(endpoint, **values)


@bp.get("/")
@login_required
def index() -> str:
    """The newest notifications; reading them marks nothing (that is an explicit POST)."""
    items = notifications.notifications_of(get_session(), current_user)
    return render_template("notifications/index.html",
                           items=[(n, describe(n), link(n)) for n in items], form=ConfirmForm())


@bp.post("/read")
@login_required
def mark_read() -> Response:
    """Mark everything read (an explicit POST: reading the list changes nothing)."""
    db = get_session()
    notifications.mark_read(db, current_user)
    db.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Response | tuple[str, int]:
    """Per group of notices: in the app only, by email at once, or in a daily digest."""
    db = get_session()
    shown: dict[str, Any] = notifications.group_channels(
        notifications.preferences_of(db, current_user))
    form = PreferencesForm.from_request(data={k: v.value for k, v in shown.items()})
    page = form_page("notifications/preferences.html", form, groups=notifications.GROUPS)
    if not form.is_submitted_and_valid():
        return page.render()
    notifications.set_preferences(db, current_user, {
        name: form[name].data for name, _label, _kinds in notifications.GROUPS})
    db.commit()
    flash("Your notification preferences are saved.", "success")
    return redirect(url_for("notifications.preferences"))
