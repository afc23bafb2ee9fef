"""The pair's workspace: the frame every section shares, and the agreement.

Each section (overview, agreement, thread, sessions, goals) is its own page under
``/pairings/<id>/`` and renders with ``section_page``, which adds the frame: who the
partner is, the section tabs, the agreement's state, and the "up next" panel. Every
page loads the pairing through ``load``: anyone outside the pair gets 404, admins too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField

from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, form_for
from mentorship.models import Pairing, PairingStatus
from mentorship.services import (
    agreements,
    closure,
    export,
    feedback,
    pairings,
    requests,
    thread,
    workspace,
)
from mentorship.services.times import local_today
from mentorship.services.vocabulary import language_names
from mentorship.views import FormPage, form_page

bp = Blueprint("workspace", __name__)

# (section, label, endpoint): a section appears once its endpoint exists.
SECTIONS = (("overview", "Overview", "pairings.detail"),
            ("agreement", "Agreement", "workspace.agreement"),
            ("thread", "Thread", "thread.page"),
            ("sessions", "Sessions", "meetings.index"),
            ("goals", "Goals", "goals.index"))

AgreementForm = form_for("AgreementForm", agreements.AGREEMENT, based_on=HiddenField())


class AcceptForm(ConfirmForm):
    number = HiddenField()


def load(pairing_id: int) -> Pairing:
    """The pairing of this workspace, if the signed-in person is in it (404 otherwise)."""
    return pairings.get_pairing_for_participant(get_session(), pairing_id, current_user)


def today() -> date:
    """Today in the viewer's own time zone (what "overdue" means to them)."""
    return local_today(current_user)


def frame(pairing: Pairing, section: str) -> dict[str, Any]:
    """What the workspace layout shows around every section."""
    db = get_session()
    role = workspace.role_in(pairing, current_user)
    agreement = agreements.current(db, pairing)
    return {"pairing": pairing, "partner": pairings.partner_of(pairing, current_user),
            "my_role": role, "section": section, "today": today(),
            "read_only": pairing.status != PairingStatus.ACTIVE,
            "sections": [(name, label, endpoint) for name, label, endpoint in SECTIONS
                         if endpoint in current_app.view_functions],
            "agreement": agreement, "agreement_state": agreements.state(agreement, role),
            "up_next": workspace.up_next(db, pairing, today()),
            "unread_in_thread": thread.unread_count(db, pairing, current_user),
            "view_functions": current_app.view_functions}


def section_page(template: str, form: BaseForm, pairing: Pairing, section: str,
                 **context: Any) -> FormPage:
    """Register a workspace section's page (for the error handlers) with its frame."""
    return form_page(template, form, **(frame(pairing, section) | context))


@bp.get("/pairings/<int:pairing_id>/agreement")
@login_required
def agreement(pairing_id: int) -> tuple[str, int]:
    return _agreement_page(load(pairing_id)).render()


@bp.post("/pairings/<int:pairing_id>/agreement")
@login_required
def save_agreement(pairing_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    page = _agreement_page(pairing)
    form = page.form
    if not form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    saved = agreements.propose(db, pairing, current_user, form.values(agreements.AGREEMENT),
                               based_on=form.based_on.data)
    db.commit()
    flash(f"Agreement version {saved.number} saved. {page.context['partner'].user.name} "
          "is asked to accept it.", "success")
    return redirect(url_for("workspace.agreement", pairing_id=pairing.id))


@bp.post("/pairings/<int:pairing_id>/agreement/accept")
@login_required
def accept_agreement(pairing_id: int) -> Response | tuple[str, int]:
    pairing = load(pairing_id)
    form = AcceptForm.from_request()
    page = _agreement_page(pairing, accept_form=form)
    if not form.is_submitted_and_valid():
        return page.render(400)
    db = get_session()
    accepted = agreements.accept(db, pairing, current_user, form.number.data)
    db.commit()
    flash("You accepted the agreement." + (" You both have: you are set."
                                          if agreements.is_accepted(accepted) else ""),
          "success")
    return redirect(url_for("workspace.agreement", pairing_id=pairing.id))


def _agreement_page(pairing: Pairing, *, accept_form: BaseForm | None = None) -> FormPage:
    history = agreements.versions(get_session(), pairing)  # newest first
    latest = history[0] if history else None
    shown = agreements.AGREEMENT.form_data(latest) if latest else {}
    form = AgreementForm.from_request(based_on=latest.number if latest else 0, **shown)
    accept = accept_form or AcceptForm.from_request()
    if accept_form is None:
        accept.number.data = latest.number if latest else 0
    return section_page("workspace/agreement.html", accept_form or form, pairing, "agreement",
                        agreement_form=form, accept_form=accept,
                        history=history,
                        in_force=next((v for v in history if agreements.is_accepted(v)), None),
                        cadence_labels=agreements.CADENCE_LABELS)


ReflectionForm = form_for("ReflectionForm", closure.REFLECTION)
EndForm = form_for("EndForm", requests.END)


@bp.post("/pairings/<int:pairing_id>/reflection")
@login_required
def reflect(pairing_id: int) -> Response | tuple[str, int]:
    """Write one's reflection on an ended mentorship (shown to both on the overview)."""
    pairing = load(pairing_id)
    form = ReflectionForm.from_request()
    page = section_page("pairings/detail.html", form, pairing, "overview",
                        **overview_context(pairing, reflection_form=form))
    if not form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    closure.reflect(db, pairing, current_user, form.values())
    db.commit()
    flash("Thank you: your reflection is saved.", "success")
    return redirect(url_for("pairings.detail", pairing_id=pairing.id))


def overview_context(pairing: Pairing, *, reflection_form: BaseForm | None = None,
                     end_form: BaseForm | None = None) -> dict[str, Any]:
    """What the overview shows besides the frame: what was agreed and, at the end,
    both reflections."""
    db = get_session()
    return {"languages": language_names(), "reasons": pairings.END_REASONS,
            "cadence_labels": agreements.CADENCE_LABELS,
            "in_force": agreements.last_accepted(db, pairing),
            "reflections": closure.reflections(db, pairing),
            "reflection_due": closure.reflection_due(db, pairing, current_user),
            "fit_due": feedback.fit_check_due(db, pairing, workspace.role_in(pairing, current_user)),
            "reflection_form": reflection_form or ReflectionForm.from_request(),
            "end_form": end_form or EndForm.from_request()}


@bp.get("/pairings/<int:pairing_id>/export.md")
@login_required
def export_markdown(pairing_id: int) -> Response:
    """The whole workspace as one Markdown file, to keep."""
    pairing = load(pairing_id)
    document = export.workspace_markdown(get_session(), pairing, current_user)
    return download(document, "text/markdown", export_name(pairing, "md"))


@bp.get("/pairings/<int:pairing_id>/export.html")
@login_required
def export_html(pairing_id: int) -> Response:
    """The whole workspace as one HTML file that opens in any browser."""
    pairing = load(pairing_id)
    document = export.workspace_html(get_session(), pairing, current_user)
    return download(document, "text/html", export_name(pairing, "html"))


def export_name(pairing: Pairing, suffix: str) -> str:
    return f"mentorship-{pairing.id}-{pairing.started_at:%Y-%m-%d}.{suffix}"


def download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
