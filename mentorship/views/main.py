"""The home page (a dashboard once signed in), the health check, and the template helpers."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, g, render_template
from flask_login import current_user
from sqlalchemy import text

from mentorship.db import get_session
from mentorship.services import dashboard
from mentorship.services.matches import MatcherCache
from mentorship.services.profiles import get_profile
from mentorship.services.specs import ROLE_SPECS
from mentorship.services.times import in_zone, local_today, long_date

bp = Blueprint("main", __name__)


def init_app(app: Flask) -> None:
    """Register the template filters and globals, and the app's matcher cache."""
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["local_time"] = local_time
    app.extensions["matcher_cache"] = MatcherCache()
    app.jinja_env.globals["ROLE_FIELDS"] = {role.value: spec.names
                                            for role, spec in ROLE_SPECS.items()}


def local_time(value: datetime) -> datetime:
    """A stored time in the signed-in viewer's profile time zone (UTC for anyone else)."""
    if "viewer_zone" not in g:
        profile = current_user.profile if current_user.is_authenticated else None
        g.viewer_zone = profile.timezone if profile else None
    return in_zone(value, g.viewer_zone)


@bp.get("/")
def home() -> str:
    """The landing page for visitors; signed in, the dashboard (with an overview for admins)."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    db = get_session()
    page = dashboard.home(db, current_user, local_today(current_user))
    return render_template("main/dashboard.html", profile=get_profile(db, current_user),
                           **vars(page))


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """For load balancers: 200 when the database answers."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}, 200
