"""Programs people can browse and enrol in, and their own enrolments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import EnrolForm
from mentorship.models import Enrolment, Program, Role
from mentorship.services import programs
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.matches import tag_suggestions
from mentorship.views import commit_form, render_form

bp = Blueprint("programs", __name__, url_prefix="/programs")


def get_program_for_current_user(program_id: int) -> Program:
    try:
        return programs.get_program_for_user(get_session(), program_id, current_user)
    except NotFound:
        abort(404)


def get_enrolment_for_current_user(enrolment_id: int) -> Enrolment:
    try:
        return programs.get_enrolment_for_user(get_session(), enrolment_id, current_user)
    except NotFound:
        abort(404)


def role_fields(role: str) -> dict[str, object]:
    """Only the submitted fields that belong to ``role`` (the form shows both sets)."""
    names = programs.MENTEE_FIELDS if role == Role.MENTEE.value else programs.MENTOR_FIELDS
    return {name: request.form[name] for name in names if name in request.form}


@bp.get("/")
@login_required
def index() -> str:
    return render_template("programs/index.html",
                           programs=programs.visible_programs(get_session(), current_user))


@bp.get("/<int:program_id>")
@login_required
def detail(program_id: int) -> str:
    program = get_program_for_current_user(program_id)
    mine = [e for e in programs.enrolments_of(get_session(), current_user)
            if e.program_id == program.id]
    return render_template("programs/detail.html", program=program, enrolments=mine)


@bp.route("/<int:program_id>/enrol", methods=["GET", "POST"])
@login_required
def enrol(program_id: int) -> Response | tuple[str, int]:
    program = get_program_for_current_user(program_id)
    form = EnrolForm.from_request(role=request.args.get("role", Role.MENTEE.value))
    context = {"program": program, "suggestions": tag_suggestions()}
    if form.is_submitted_and_valid():
        try:
            programs.enrol(get_session(), current_user, program, form.role.data,
                           role_fields(form.role.data))
        except FieldErrors as exc:
            form.add_errors(exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            return render_template("programs/enrol.html", form=form, **context), 409
        else:
            get_session().commit()
            flash(f"You have joined {program.name} as {form.role.data}.", "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_form("programs/enrol.html", form, **context)


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@login_required
def edit_enrolment(enrolment_id: int) -> Response | tuple[str, int]:
    enrolment = get_enrolment_for_current_user(enrolment_id)
    form = EnrolForm.from_request(obj=enrolment, data=enrolment_form_data(enrolment))
    if form.is_submitted_and_valid() and commit_form(form, lambda db: programs.update_enrolment(
            db, enrolment, role_fields(enrolment.role.value))):
        flash("Enrolment saved.", "success")
        return redirect(url_for("programs.detail", program_id=enrolment.program_id))
    return render_form("programs/enrolment.html", form, enrolment=enrolment,
                       suggestions=tag_suggestions())


def enrolment_form_data(enrolment: Enrolment) -> dict[str, object]:
    return {
        "role": enrolment.role.value, "goals": enrolment.goals, "about": enrolment.about,
        "skills_to_grow": ", ".join(enrolment.skills_to_grow or []),
        "expertise": ", ".join(enrolment.expertise or []),
        "capacity": enrolment.capacity or 2,
        "availability": (enrolment.availability or "open"),
    }
