"""Feedback on a session and the private "is this a good fit?" check, in the workspace.

The fit page shows only the signed-in person's own answer: nothing here (or anywhere)
reads the partner's.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, form_for
from mentorship.models import RATING_MAX, RATING_MIN, Meeting, Pairing, Role
from mentorship.services import feedback, meetings
from mentorship.services.workspace import role_in
from mentorship.views import FormPage
from mentorship.views.workspace import load, section_page

bp = Blueprint("feedback", __name__)


def _feedback_form(role: Role) -> type[BaseForm]:
    spec = feedback.spec_for(role)
    rating = spec["rating"]
    return form_for(f"{role.value.title()}FeedbackForm", spec, rating=RadioField(
        rating.label, description=rating.help, validate_choice=False,
        choices=[SelectChoice(str(n), str(n)) for n in range(RATING_MIN, RATING_MAX + 1)]))


FEEDBACK_FORMS = {role: _feedback_form(role) for role in Role}
FitForm = form_for("FitForm", feedback.FIT, answer=RadioField(
    feedback.FIT["answer"].label, validate_choice=False,
    choices=[SelectChoice(v, label) for v, label in feedback.FIT["answer"].choices]))


@bp.route("/pairings/<int:pairing_id>/sessions/<int:meeting_id>/feedback",
          methods=["GET", "POST"])
@login_required
def give(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    db = get_session()
    meeting = meetings.get_meeting(db, pairing, meeting_id)
    page = _feedback_page(pairing, meeting)
    form = page.form
    if not form.is_submitted_and_valid():
        return page.render()
    feedback.give(db, pairing, meeting, current_user, form.values(feedback.FEEDBACK))
    db.commit()
    flash(f"Thank you: {page.context['partner'].user.name} can read your feedback now.",
          "success")
    return redirect(url_for("feedback.give", pairing_id=pairing.id, meeting_id=meeting.id))


@bp.route("/pairings/<int:pairing_id>/fit", methods=["GET", "POST"])
@login_required
def fit(pairing_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    page = _fit_page(pairing, FitForm.from_request())
    if not page.form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    feedback.answer_fit(db, pairing, current_user, page.form.values(feedback.FIT))
    db.commit()
    flash("Thank you. Your answer stays with you: nobody else is told.", "success")
    return redirect(url_for("feedback.fit", pairing_id=pairing.id))


@bp.post("/pairings/<int:pairing_id>/fit/end")
@login_required
def end_for_fit(pairing_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    form = ConfirmForm.from_request()
    page = _fit_page(pairing, form)
    if not form.is_submitted_and_valid():
        return page.render(400)
    db = get_session()
    feedback.end_for_fit(db, pairing, current_user)
    db.commit()
    flash("Your mentorship has ended. Here are mentors to look at again.", "success")
    return redirect(url_for("matching.find", program_id=pairing.program_id))


def _feedback_page(pairing: Pairing, meeting: Meeting) -> FormPage:
    role = role_in(pairing, current_user)
    given = feedback.feedback_on(get_session(), meeting)
    return section_page("workspace/feedback.html", FEEDBACK_FORMS[role].from_request(),
                        pairing, "sessions", meeting=meeting, given=given,
                        can_give=feedback.can_give(pairing, meeting, given, role),
                        labels={r: feedback.spec_for(r) for r in Role})


def _fit_page(pairing: Pairing, form: BaseForm) -> FormPage:
    db = get_session()
    role = role_in(pairing, current_user)
    mine = feedback.my_fit(db, pairing, role)
    return section_page("workspace/fit.html", form, pairing, "overview", mine=mine,
                        due=feedback.fit_check_due(db, pairing, role),
                        may_end=feedback.may_end_for_fit(mine, pairing, role),
                        end_form=ConfirmForm(formdata=None),
                        answer_labels=dict(feedback.FIT["answer"].choices))
