"""An admin's matching rounds for a program: pool, settings, draft, publish."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField

from mentorship.auth import admin_required
from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, form_for
from mentorship.models import MatchRound
from mentorship.services import programs, round_edits, round_publish, round_report, round_runs, rounds
from mentorship.services.vocabulary import CRITERION_LABELS
from mentorship.views import FormPage, form_page

bp = Blueprint("rounds", __name__, url_prefix="/admin")

SettingsForm = form_for("SettingsForm", rounds.SETTINGS)
PairForm = form_for("PairForm", mentee_enrolment_id=HiddenField(),
                    mentor_enrolment_id=HiddenField())


def _cache() -> Any:
    return current_app.extensions["matcher_cache"]


@bp.route("/programs/<int:program_id>/matching", methods=["GET", "POST"])
@admin_required
def program(program_id: int) -> Response | tuple[str, int]:
    """The pool and the settings; Run starts a round and shows its draft."""
    db = get_session()
    found = programs.get_program_for_user(db, program_id, current_user)
    form = SettingsForm.from_request()
    page = form_page("rounds/program.html", form, program=found,
                     pool=rounds.pool_summary(db, found), rounds=rounds.program_rounds(db, found),
                     weights=programs.program_weights(found), criteria=CRITERION_LABELS)
    if not form.is_submitted_and_valid():
        return page.render()
    round_ = rounds.start_round(db, found, form.values(), current_user)
    db.commit()
    return _after_run(round_runs.run_round(db, round_.id, _cache()))


def _after_run(round_: MatchRound) -> Response:
    if round_.error:
        flash(f"The round failed. {round_.error}", "error")
    else:
        flash(f"Draft ready: {round_.report['matched']} of {round_.report['mentees']} "
              "mentees matched. Nothing is published yet.", "success")
    return redirect(url_for("rounds.show", round_id=round_.id))


def _round_page(round_: MatchRound, form: Any) -> FormPage:
    """The round's page, registered so a refused action shows its message there."""
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return form_page("rounds/round.html", form, round=round_, report=round_.report or {},
                     draft=round_edits.draft_page(get_session(), round_, number),
                     chart=round_report.chart_rows(round_.report or {}),
                     groupings=dict(round_report.GROUPINGS), pair_form=PairForm(),
                     editable=round_.status in rounds.EDITABLE)


@bp.get("/rounds/<int:round_id>")
@admin_required
def show(round_id: int) -> tuple[str, int]:
    return _round_page(rounds.get_round(get_session(), round_id), ConfirmForm()).render()


@bp.get("/rounds/<int:round_id>/proposals.csv")
@admin_required
def proposals_csv(round_id: int) -> Response:
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    body = "".join(round_edits.proposals_csv(db, round_))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="round-{round_.id}-proposals.csv"'})


def _act(round_id: int, form_class: type[BaseForm], action: Any, done: str) -> Response | tuple[str, int]:
    """A POST on the round page: check CSRF, call the service, commit, back to the page."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    form = form_class.from_request()
    page = _round_page(round_, form)
    if not form.is_submitted_and_valid():
        return page.render(400)
    action(db, round_, form)
    db.commit()
    flash(done, "success")
    return redirect(url_for("rounds.show", round_id=round_id, page=request.args.get("page")))


@bp.post("/rounds/<int:round_id>/pins")
@admin_required
def pin(round_id: int) -> Response | tuple[str, int]:
    return _act(round_id, PairForm, lambda db, r, f: round_edits.pin(db, r, f.values(), _cache()),
                "Pair pinned: it stays as it is when the round is re-run.")


@bp.post("/rounds/<int:round_id>/unpin")
@admin_required
def unpin(round_id: int) -> Response | tuple[str, int]:
    return _act(round_id, PairForm, lambda db, r, f: round_edits.unpin(db, r, f.values()),
                "Pair unpinned: the next run may change it.")


@bp.post("/rounds/<int:round_id>/exclusions")
@admin_required
def exclude(round_id: int) -> Response | tuple[str, int]:
    return _act(round_id, PairForm, lambda db, r, f: round_edits.exclude(db, r, f.values()),
                "Pair excluded: re-run the round to find the mentee someone else.")


@bp.post("/rounds/<int:round_id>/discard")
@admin_required
def discard(round_id: int) -> Response | tuple[str, int]:
    return _act(round_id, ConfirmForm, lambda db, r, f: rounds.discard(db, r),
                "Round discarded.")


@bp.post("/rounds/<int:round_id>/publish")
@admin_required
def publish(round_id: int) -> Response | tuple[str, int]:
    return _act(round_id, ConfirmForm, lambda db, r, f: round_publish.publish(db, r, current_user),
                "Round published: every pair is notified.")


@bp.post("/rounds/<int:round_id>/rerun")
@admin_required
def rerun(round_id: int) -> Response | tuple[str, int]:
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    form = ConfirmForm.from_request()
    page = _round_page(round_, form)
    if not form.is_submitted_and_valid():
        return page.render(400)
    rounds.restart_round(db, round_)
    db.commit()
    return _after_run(round_runs.run_round(db, round_id, _cache()))
