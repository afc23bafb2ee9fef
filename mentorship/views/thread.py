"""The pair's thread: messages in Markdown, newest at the bottom, paged by cursor.

Reading the page changes nothing (GET requests run read-only): the read marker moves
when the reader presses "Mark as read" or posts a message. Anyone outside the pair
gets 404 for every URL here, admins too (``workspace.load``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField

from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, form_for
from mentorship.models import Pairing, utcnow
from mentorship.services import thread
from mentorship.services.fields import clean_cursor
from mentorship.services.markdown import renderer
from mentorship.views import FormPage
from mentorship.views.workspace import frame, load

bp = Blueprint("thread", __name__)

MessageForm = form_for("MessageForm", thread.MESSAGE, client_key=HiddenField())
EditForm = form_for("EditMessageForm", thread.MESSAGE)


class ReadForm(ConfirmForm):
    up_to = HiddenField()


def fresh_form() -> BaseForm:
    """An empty message form with a new client key (one key per rendering)."""
    form: BaseForm = MessageForm(client_key=thread.new_client_key())
    return form


@dataclass
class ThreadPage(FormPage):
    """The thread page, its context gathered only when it is rendered.

    A POST that succeeds redirects without rendering, so it skips the page's queries.
    """

    build: Callable[[], dict[str, Any]] | None = None

    def render(self, status: int | None = None) -> tuple[str, int]:
        """Gather the context (once), then render as any form page."""
        if self.build is not None:
            self.context, self.build = self.build(), None
        return super().render(status)


def _page(pairing: Pairing, form: BaseForm, *, before: int | None = None,
          editing: int | None = None) -> ThreadPage:
    """Register the thread page showing ``form`` (a new message, or the edit of ``editing``)
    for the error handlers, as ``section_page`` does, and return it."""
    def build() -> dict[str, Any]:
        db = get_session()
        shown = thread.page(db, pairing, current_user, before)
        newest = shown.messages[-1].id if shown.messages else 0
        return frame(pairing, "thread") | {
            "page": shown, "compose": form if editing is None else fresh_form(),
            "editing": editing, "render": renderer(), "now": utcnow(),
            "authors": thread.authors(pairing), "me": current_user.id,
            "read_form": ReadForm(up_to=newest), "can_edit": thread.can_edit}
    page_ = ThreadPage("workspace/thread.html", form, build=build)
    g.form_page = page_
    return page_


@bp.get("/pairings/<int:pairing_id>/thread")
@login_required
def page(pairing_id: int) -> tuple[str, int]:
    """The newest messages, or the page before ``?before=<id>``."""
    pairing = load(pairing_id)
    before = clean_cursor(request.args.get("before"))
    return _page(pairing, fresh_form(), before=before).render()


@bp.post("/pairings/<int:pairing_id>/thread")
@login_required
def post(pairing_id: int) -> Response | tuple[str, int]:
    """Send a message; sending the same form twice stores it once."""
    pairing = load(pairing_id)
    form = MessageForm.from_request()
    page_ = _page(pairing, form)
    if not form.is_submitted_and_valid():
        return page_.render(400)
    db = get_session()
    message, _new = thread.post_message(db, pairing, current_user, form.body.data,
                                        form.client_key.data)
    db.commit()
    return redirect(url_for("thread.page", pairing_id=pairing.id,
                            _anchor=f"message-{message.id}"))


@bp.post("/pairings/<int:pairing_id>/thread/read")
@login_required
def mark_read(pairing_id: int) -> Response | tuple[str, int]:
    """Move the reader's marker to the newest message the page showed."""
    pairing = load(pairing_id)
    form = ReadForm.from_request()
    if not form.is_submitted_and_valid():
        return _page(pairing, fresh_form()).render(400)
    db = get_session()
    up_to = clean_cursor(form.up_to.data or None)
    thread.mark_read(db, pairing, current_user, up_to)
    db.commit()
    return redirect(url_for("thread.page", pairing_id=pairing.id))


@bp.route("/pairings/<int:pairing_id>/thread/messages/<int:message_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit(pairing_id: int, message_id: int) -> Response | tuple[str, int]:
    """Change your own message within 15 minutes of sending it."""
    pairing = load(pairing_id)
    db = get_session()
    message = thread.get_own_message(db, pairing, current_user, message_id)
    form = EditForm.from_request(body=message.body).ids_prefixed("edit")
    # A message past editing shows the thread with the reason, not an edit form; a
    # refused save keeps what was typed in its form, to copy into a new message.
    closed = request.method == "GET" and thread.edit_refusal(pairing, message, utcnow())
    page_ = _page(pairing, fresh_form() if closed else form, before=message.id + 1,
                  editing=None if closed else message.id)
    thread.require_editable(pairing, message, utcnow())
    if request.method == "GET" or not form.is_submitted_and_valid():
        return page_.render(None if request.method == "GET" else 400)
    thread.edit_message(db, pairing, current_user, message.id, form.body.data)
    db.commit()
    flash("Message edited.", "success")
    return redirect(url_for("thread.page", pairing_id=pairing.id,
                            _anchor=f"message-{message.id}"))


@bp.post("/pairings/<int:pairing_id>/thread/messages/<int:message_id>/delete")
@login_required
def delete(pairing_id: int, message_id: int) -> Response | tuple[str, int]:
    """Delete your own message: its text goes, a "Message deleted" line stays."""
    pairing = load(pairing_id)
    form = ConfirmForm.from_request()
    page_ = _page(pairing, fresh_form())
    if not form.is_submitted_and_valid():
        return page_.render(400)
    db = get_session()
    thread.delete_message(db, pairing, current_user, message_id)
    db.commit()
    flash("Message deleted.", "success")
    return redirect(url_for("thread.page", pairing_id=pairing.id))
