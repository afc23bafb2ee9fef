"""Program management for admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mentorship.auth import admin_required
from mentorship.db import get_session
from mentorship.forms import ProgramForm
from mentorship.models import Program
from mentorship.services import audit, programs
from mentorship.services.fields import clean_cursor
from mentorship.services.specs import PROGRAM
from mentorship.services.vocabulary import CRITERION_LABELS
from mentorship.views import form_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


def program_form_data(program: Program | None) -> dict[str, object]:
    """Stored values as the form shows them: one input per weight, the full set."""
    data = PROGRAM.form_data(program) if program else {}
    for key, value in programs.program_weights(program).items():
        data[f"weights__{key}"] = f"{value:.15g}"  # every digit a float keeps, no "6.0"
    if program:
        data["version"] = program.version
    return data


@bp.get("/programs")
@admin_required
def program_list() -> str:
    """Every program, drafts included, with its mentee and mentor counts."""
    every_program = programs.visible_programs(get_session(), current_user)
    return render_template("admin/programs.html", counts=programs.counts_of(every_program),
                           programs=every_program)


@bp.route("/programs/new", methods=["GET", "POST"])
@admin_required
def program_new() -> Response | tuple[str, int]:
    """Create a program."""
    return _save_program(None)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@admin_required
def program_edit(program_id: int) -> Response | tuple[str, int]:
    """Edit a program; the form carries its version, so a stale save is a 409."""
    return _save_program(programs.get_program_for_user(get_session(), program_id, current_user))


def _save_program(program: Program | None) -> Response | tuple[str, int]:
    """Show the program form, or save it and go back to the list (``None`` creates one)."""
    form = ProgramForm.from_request(data=program_form_data(program))
    weights = programs.program_weights(program)
    total = sum(weights.values()) or 1
    page = form_page("admin/program_form.html", form, program=program,
                     criteria=CRITERION_LABELS, weights_help=PROGRAM["weights"].help,
                     shares={key: round(100 * value / total) for key, value in weights.items()})
    if not form.is_submitted_and_valid():
        return page.render()
    saved = programs.save_program(get_session(), form.values(PROGRAM), program,
                                  version=form.version.data, by=current_user)
    get_session().commit()
    flash(f"Program “{saved.name}” saved.", "success")
    return redirect(url_for("admin.program_list"))


@bp.get("/programs/<int:program_id>/audit")
@admin_required
def program_audit(program_id: int) -> str:
    """Who did what to a program, newest first; append-only, paged with ``?before=``."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_user)
    before = clean_cursor(request.args.get("before"))
    entries = audit.entries(db, program.id, before=before)
    return render_template("admin/audit.html", program=program, entries=entries,
                           labels=audit.LABELS,
                           older=entries[-1].id if len(entries) == audit.PAGE else None)
