"""Programs people can browse and enrol in, and their own enrolments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import EnrolForm
from mentorship.models import Role
from mentorship.services import programs
from mentorship.services.specs import ROLE_SPECS
from mentorship.services.vocabulary import tag_suggestions
from mentorship.views import form_page

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.get("/")
@login_required
def index() -> str:
    """The programs the person may see (drafts only for admins)."""
    return render_template("programs/index.html",
                           programs=programs.visible_programs(get_session(), current_user))


@bp.get("/<int:program_id>")
@login_required
def detail(program_id: int) -> str:
    """A program, the person's enrolments in it and which enrol button to offer."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_user)
    mine = programs.enrolments_in(db, current_user, program)
    return render_template("programs/detail.html", program=program, enrolments=mine,
                           offer=programs.enrol_offer(program, mine))


@bp.route("/<int:program_id>/enrol", methods=["GET", "POST"])
@login_required
def enrol(program_id: int) -> Response | tuple[str, int]:
    """Join a program as mentee or mentor; ``?role=`` preselects the role."""
    program = programs.get_program_for_user(get_session(), program_id, current_user)
    form = EnrolForm.from_request(role=request.args.get("role", Role.MENTEE.value))
    page = form_page("programs/enrol.html", form, program=program, suggestions=tag_suggestions())
    if not form.is_submitted_and_valid():
        return page.render()
    role, spec = programs.role_spec(form.role.data)
    programs.enrol(get_session(), current_user, program, role, form.values(spec))
    get_session().commit()
    flash(f"You have joined {program.name} as {role.value}.", "success")
    return redirect(url_for("programs.detail", program_id=program.id))


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@login_required
def edit_enrolment(enrolment_id: int) -> Response | tuple[str, int]:
    """Edit one's own enrolment (anyone else's is 404); its role cannot change."""
    enrolment = programs.get_enrolment_for_user(get_session(), enrolment_id, current_user)
    spec = ROLE_SPECS[enrolment.role]
    form = EnrolForm.from_request(data=spec.form_data(enrolment) | {
        "role": enrolment.role.value, "version": enrolment.version})
    page = form_page("programs/enrolment.html", form, enrolment=enrolment,
                     suggestions=tag_suggestions())
    if not form.is_submitted_and_valid():
        return page.render()
    programs.update_enrolment(get_session(), enrolment, form.values(spec),
                              version=form.version.data)
    get_session().commit()
    flash("Enrolment saved.", "success")
    return redirect(url_for("programs.detail", program_id=enrolment.program_id))
