"""My mentorships, a pairing's workspace overview, and ending a mentorship; the admins'
list per program.

A pairing's workspace is the pair's alone: anyone else, admins included, gets 404. Admins
have their own page per program with the metadata (who, since, status, source).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.auth import admin_required
from mentorship.db import get_session
from mentorship.forms import BaseForm
from mentorship.services import pairings, programs
from mentorship.services.errors import NotFound
from mentorship.views import FormPage, form_page, workspace

bp = Blueprint("pairings", __name__)

EndForm = workspace.EndForm


@bp.get("/pairings/")
@login_required
def index() -> str:
    return render_template("pairings/index.html",
                           pairings=pairings.pairings_of(get_session(), current_user))


@bp.get("/pairings/<int:pairing_id>")
@login_required
def detail(pairing_id: int) -> tuple[str, int]:
    return _pairing_page(pairing_id, EndForm.from_request()).render()


@bp.post("/pairings/<int:pairing_id>/end")
@login_required
def end(pairing_id: int) -> Response | tuple[str, int]:
    form = EndForm.from_request()
    page = _pairing_page(pairing_id, form)
    if not form.is_submitted_and_valid():
        return page.render()
    pairing = page.context["pairing"]
    pairings.end_pairing(get_session(), pairing, current_user, form.reason.data, form.note.data)
    get_session().commit()
    flash(f"Your mentorship with {page.context['partner'].user.name} has ended. Its workspace "
          "stays here to read; a few lines of reflection help you both keep what it gave.",
          "success")
    return redirect(url_for("pairings.detail", pairing_id=pairing.id))


def _pairing_page(pairing_id: int, form: BaseForm) -> FormPage:
    """The workspace's overview: who, why, what was agreed, and ending it."""
    pairing = workspace.load(pairing_id)
    return workspace.section_page("pairings/detail.html", form, pairing, "overview",
                                  **workspace.overview_context(pairing, end_form=form))


@bp.get("/admin/programs/<int:program_id>/pairings")
@admin_required
def program_pairings(program_id: int) -> tuple[str, int]:
    """Metadata only: names, dates, status and source; never notes, reasons or messages."""
    return _admin_page(program_id).render()


@bp.post("/admin/programs/<int:program_id>/pairings/<int:pairing_id>/end")
@admin_required
def admin_end(program_id: int, pairing_id: int) -> Response:
    page = _admin_page(program_id)
    pairing = pairings.get_pairing_for_admin(get_session(), pairing_id)
    if pairing.program_id != program_id:
        raise NotFound("pairing")
    pairings.end_pairing(get_session(), pairing, current_user, page.form.reason.data,
                         page.form.note.data)
    get_session().commit()
    flash(f"The mentorship of {pairing.mentee.user.name} with {pairing.mentor.user.name} "
          "has ended.", "success")
    return redirect(url_for("pairings.program_pairings", program_id=program_id))


def _admin_page(program_id: int) -> FormPage:
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_user)
    return form_page("pairings/admin.html", EndForm.from_request(), program=program,
                     pairings=pairings.program_pairings(db, program.id))
