"""Program management for admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mentorship.auth import admin_required
from mentorship.db import get_session
from mentorship.forms import ProgramForm
from mentorship.models import Program
from mentorship.services import programs
from mentorship.services.matches import default_weights
from mentorship.views import commit_form, render_form

bp = Blueprint("admin", __name__, url_prefix="/admin")

PROGRAM_INPUTS = ("name", "description", "starts_on", "ends_on", "status",
                  "max_timezone_gap_hours", "max_pending_requests")


def program_input() -> dict[str, object]:
    """The posted program fields, with the weight inputs gathered into one mapping."""
    data: dict[str, object] = {k: request.form.get(k, "") for k in PROGRAM_INPUTS}
    weights: dict[str, object] = {}
    for key in programs.WEIGHT_KEYS:
        raw = request.form.get(f"weight_{key}", "").strip()
        if raw:
            try:
                weights[key] = float(raw)
            except ValueError:
                weights[key] = raw  # rejected with a message by the service
    data["weights"] = weights
    return data


def program_form_data(program: Program) -> dict[str, object]:
    data: dict[str, object] = {
        "name": program.name, "description": program.description,
        "starts_on": program.starts_on.isoformat() if program.starts_on else "",
        "ends_on": program.ends_on.isoformat() if program.ends_on else "",
        "status": program.status.value,
        "max_timezone_gap_hours": ("" if program.max_timezone_gap_hours is None
                                   else program.max_timezone_gap_hours),
        "max_pending_requests": program.max_pending_requests,
    }
    for key, value in (program.weights or {}).items():
        data[f"weight_{key}"] = f"{value:.15g}"  # every digit a float keeps, no "6.0"
    return data


@bp.get("/programs")
@admin_required
def program_list() -> str:
    db = get_session()
    return render_template("admin/programs.html", counts=programs.enrolment_counts(db),
                           programs=programs.visible_programs(db, current_user))


@bp.route("/programs/new", methods=["GET", "POST"])
@admin_required
def program_new() -> Response | tuple[str, int]:
    form = ProgramForm.from_request()
    return _save_program(form, None)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@admin_required
def program_edit(program_id: int) -> Response | tuple[str, int]:
    program = get_session().get(Program, program_id) or abort(404)
    form = ProgramForm.from_request(data=program_form_data(program))
    return _save_program(form, program)


def _save_program(form: ProgramForm, program: Program | None) -> Response | tuple[str, int]:
    # A bad weight has no single field: its message is shown at the top of the form.
    if form.is_submitted_and_valid() and commit_form(
            form, lambda db: programs.save_program(db, program_input(), program)):
        flash(f"Program “{form.name.data.strip()}” saved.", "success")
        return redirect(url_for("admin.program_list"))
    return render_form("admin/program_form.html", form, program=program,
                       default_weights=default_weights())
