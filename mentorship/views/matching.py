"""A mentee finds and requests a mentor; a mentor answers requests."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from mentorship.db import get_session, read_only_transaction
from mentorship.forms import BaseForm, ConfirmForm, form_for
from mentorship.services import matches, programs, request_queries, requests, suggestions
from mentorship.services.vocabulary import language_names
from mentorship.views import FormPage, form_page

bp = Blueprint("matching", __name__)

RequestForm = form_for("RequestForm", requests.REQUEST)
DeclineForm = form_for("DeclineForm", requests.DECLINE)
ANY = SelectChoice("", "Any")
GAPS = (0, 1, 2, 3, 4, 6, 8)


class FilterForm(BaseForm):
    """The suggestion filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    language = SelectField("Speaks", choices=[ANY], validate_choice=False)
    expertise = SelectField("Expertise", choices=[ANY], validate_choice=False)
    max_timezone_gap = SelectField(
        "Largest time-zone gap", validate_choice=False,
        choices=[ANY, *(SelectChoice(str(h), f"{h} hour{'s' if h != 1 else ''}") for h in GAPS)])


@bp.get("/programs/<int:program_id>/mentors")
@login_required
def find(program_id: int) -> tuple[str, int]:
    """Suggestions for the signed-in mentee; 404 for anyone who is not a mentee here."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_user)
    form = FilterForm(request.args)
    page = form_page("matching/find.html", form, program=program, search=None)
    search = suggestions.find_mentors(db, program, current_user,
                                      suggestions.clean_filters(request.args.to_dict()),
                                      current_app.extensions["matcher_cache"])
    form.language.choices = [ANY, *(SelectChoice(c, name) for c, name in search.languages)]
    form.expertise.choices = [ANY, *(SelectChoice(t, t) for t in search.expertise)]
    page.context |= {"search": search, "languages": language_names(), "more": suggestions.MORE}
    return page.render()


@bp.route("/mentors/<int:enrolment_id>/request", methods=["GET", "POST"])
@login_required
def new_request(enrolment_id: int) -> Response | tuple[str, int]:
    db = get_session()
    if request.method == "POST":
        with read_only_transaction(db):  # before this request's write transaction
            matches.warm_for_mentor(db, enrolment_id, current_app.extensions["matcher_cache"])
    mentor = request_queries.get_mentor(db, enrolment_id)
    form = RequestForm.from_request()
    page = form_page("matching/request.html", form, mentor=mentor)
    if not form.is_submitted_and_valid():
        return page.render()
    requests.send_request(db, current_user, mentor.id, form.values(),
                          current_app.extensions["matcher_cache"])
    db.commit()
    flash(f"Your request is on its way to {mentor.user.name}.", "success")
    return redirect(url_for("matching.index"))


def requests_page() -> FormPage:
    """My requests, registered so a refused answer shows here with its message (409)."""
    db = get_session()
    return form_page("matching/requests.html", ConfirmForm(),
                     sent=request_queries.with_status(request_queries.sent_requests(db, current_user)),
                     received=request_queries.with_status(request_queries.received_requests(db, current_user)),
                     reasons=requests.DECLINE_REASONS)


@bp.get("/requests/")
@login_required
def index() -> tuple[str, int]:
    return requests_page().render()


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int) -> Response:
    db = get_session()
    requests_page()
    item = requests.withdraw_request(db, request_id, current_user)
    db.commit()
    flash(f"Your request to {item.mentor.user.name} is withdrawn.", "success")
    return redirect(url_for("matching.index"))


@bp.post("/requests/<int:request_id>/accept")
@login_required
def accept(request_id: int) -> Response:
    db = get_session()
    requests_page()
    pairing = requests.accept_request(db, request_id, current_user)
    db.commit()
    flash(f"You are now mentoring {pairing.mentee.user.name}.", "success")
    return redirect(url_for("pairings.detail", pairing_id=pairing.id))


@bp.route("/requests/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline(request_id: int) -> Response | tuple[str, int]:
    db = get_session()
    item = request_queries.get_request_for_mentor(db, request_id, current_user)
    form = DeclineForm.from_request()
    page = form_page("matching/decline.html", form, item=item)
    if not form.is_submitted_and_valid():
        return page.render()
    requests.decline_request(db, request_id, current_user, form.values())
    db.commit()
    flash(f"You declined {item.mentee.user.name}'s request.", "success")
    return redirect(url_for("matching.index"))
