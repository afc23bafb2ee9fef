"""A program's health for its admins: the dashboard of figures, the at-risk pairs, and
nudging or ending one of them.

Admins see figures and metadata only: no message, note or feedback text, and ratings
only over at least three pairs (the services decide what is shown).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from mentorship.auth import admin_required
from mentorship.db import get_session
from mentorship.forms import BaseForm
from mentorship.models import Program, utcnow
from mentorship.services import charts, health, programs, reports
from mentorship.views import FormPage, form_page, workspace

bp = Blueprint("health", __name__, url_prefix="/admin")


class NudgeForm(BaseForm):
    step = SelectField("Suggested next step",
                       choices=[SelectChoice(r.value, text[0].upper() + text[1:])
                                for r, text in health.NEXT_STEPS.items()])


EndForm = workspace.EndForm


def _program(program_id: int) -> Program:
    return programs.get_program_for_user(get_session(), program_id, current_user)


@bp.get("/programs/<int:program_id>/dashboard")
@admin_required
def dashboard(program_id: int) -> tuple[str, int]:
    """Every figure of the program, the charts with their tables, and the way to the
    at-risk pairs."""
    db = get_session()
    program = _program(program_id)
    now = utcnow()
    period, problems = reports.period_or_default(request.args.get("since"),
                                                 request.args.get("until"), now.date())
    report = reports.program_report(db, program, period, now)
    return render_template("admin/dashboard.html", program=program, report=report,
                           charts=charts.report_charts(report), problems=problems,
                           floor=reports.PRIVACY_FLOOR,
                           too_few=reports.TOO_FEW,
                           since=request.args.get("since") or period.first.strftime("%Y-%m"),
                           until=request.args.get("until") or period.last.strftime("%Y-%m"),
                           ), 422 if problems else 200


@bp.get("/programs/<int:program_id>/at-risk")
@admin_required
def at_risk(program_id: int) -> tuple[str, int]:
    return _at_risk_page(_program(program_id), NudgeForm.from_request()).render()


@bp.post("/programs/<int:program_id>/at-risk/<int:pairing_id>/nudge")
@admin_required
def nudge(program_id: int, pairing_id: int) -> Response | tuple[str, int]:
    program = _program(program_id)
    form = NudgeForm.from_request()
    page = _at_risk_page(program, form)
    pairing = health.get_program_pairing(get_session(), program, pairing_id)
    if not form.is_submitted_and_valid():
        return page.render()
    health.nudge(get_session(), current_user, pairing, form.step.data)
    get_session().commit()
    flash(f"{pairing.mentee.user.name} and {pairing.mentor.user.name} were both notified "
          "with the suggested next step.", "success")
    return redirect(url_for("health.at_risk", program_id=program.id))


@bp.post("/programs/<int:program_id>/at-risk/<int:pairing_id>/end")
@admin_required
def end(program_id: int, pairing_id: int) -> Response | tuple[str, int]:
    program = _program(program_id)
    form = EndForm.from_request()
    page = _at_risk_page(program, form)
    pairing = health.get_program_pairing(get_session(), program, pairing_id)
    if not form.is_submitted_and_valid():
        return page.render()
    health.end(get_session(), current_user, pairing, form.reason.data, form.note.data)
    get_session().commit()
    flash(f"The mentorship of {pairing.mentee.user.name} with {pairing.mentor.user.name} "
          f"has ended. {pairing.mentee.user.name} can now be matched again.", "success")
    return redirect(url_for("health.at_risk", program_id=program.id))


def _at_risk_page(program: Program, form: BaseForm) -> FormPage:
    pairs, total = health.at_risk(get_session(), program)
    rematch = "rounds.program" in current_app.view_functions
    return form_page("admin/at_risk.html", form, program=program, pairs=pairs, total=total,
                     nudge_form=form if isinstance(form, NudgeForm) else NudgeForm(),
                     end_form=form if not isinstance(form, NudgeForm) else EndForm(),
                     steps=health.NEXT_STEPS, rematch=rematch)
