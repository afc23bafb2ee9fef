"""The signed-in person's notifications."""

from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import ConfirmForm
from mentorship.services import notifications
from mentorship.services.notifications import describe

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def init_app(app: Flask) -> None:
    """Give every template the unread count."""
    app.context_processor(unread)


def unread() -> dict[str, object]:
    """The unread count for the navigation, once per request, for signed-in people."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    if "unread_notifications" not in g:
        g.unread_notifications = notifications.unread_count(get_session(), current_user)
    return {"unread_notifications": g.unread_notifications}


@bp.get("/")
@login_required
def index() -> str:
    """The newest notifications; reading them marks nothing (that is an explicit POST)."""
    items = notifications.notifications_of(get_session(), current_user)
    return render_template("notifications/index.html", items=[(n, describe(n)) for n in items],
                           form=ConfirmForm())


@bp.post("/read")
@login_required
def mark_read() -> Response:
    """Mark everything read (an explicit POST: reading the list changes nothing)."""
    db = get_session()
    notifications.mark_read(db, current_user)
    db.commit()
    return redirect(url_for("notifications.index"))
