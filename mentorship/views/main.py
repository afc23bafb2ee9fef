"""The home page (a dashboard once signed in) and the health check."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user
from sqlalchemy import text

from mentorship.db import get_session
from mentorship.services import programs
from mentorship.services.profiles import get_profile

bp = Blueprint("main", __name__)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["ROLE_LABELS"] = {"mentee": "Mentee", "mentor": "Mentor"}


@bp.get("/")
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    db = get_session()
    mine = programs.enrolments_of(db, current_user)
    enrolled = {e.program_id for e in mine}
    visible = programs.visible_programs(db, current_user)
    open_programs = [p for p in visible if p.is_open_for_enrolment and p.id not in enrolled]
    overview = programs.enrolment_counts(db) if current_user.is_admin else None
    return render_template("main/dashboard.html", enrolments=mine, open_programs=open_programs,
                           profile=get_profile(db, current_user), overview=overview,
                           all_programs=visible)


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """For load balancers: 200 when the database answers."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}, 200
