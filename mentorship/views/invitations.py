"""The set-password page an imported person's invitation links to."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from mentorship.auth import sign_in
from mentorship.db import get_session
from mentorship.forms import ConfirmForm, form_for
from mentorship.services import invitations
from mentorship.services.invitations import LinkState
from mentorship.services.specs import CREDENTIALS, Spec
from mentorship.views import form_page

bp = Blueprint("invitations", __name__)

SetPasswordForm = form_for("SetPasswordForm", Spec((CREDENTIALS["password"],)))
MAX_TOKEN = 100
GONE = {LinkState.EXPIRED: (410, "This link has expired. We can email you a new one."),
        LinkState.UNKNOWN: (404, "This link is not valid, or it was used already. If you "
                                 "set your password, sign in with it.")}


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Response | tuple[str, int]:
    """Choose a password with the emailed link, then be signed in. The link works once."""
    db = get_session()
    state, user = (invitations.link_state(db, token) if len(token) <= MAX_TOKEN
                   else (LinkState.UNKNOWN, None))
    db.commit()  # end the lookup's transaction: the slow hashing below holds no lock
    if state != LinkState.VALID or user is None:
        return link_gone(state)
    form = SetPasswordForm.from_request()
    page = form_page("auth/set_password.html", form, user=user)
    if not form.is_submitted_and_valid():
        return page.render()
    password = invitations.check_new_password(user, form.password.data)
    if not invitations.set_password(db, token, user, password):
        db.rollback()
        return link_gone(LinkState.UNKNOWN)
    sign_in(user, remember=False)
    db.commit()
    flash("Your password is set and you are signed in.", "success")
    return redirect(url_for("main.home"))


@bp.post("/set-password/<token>/renew")
def renew(token: str) -> Response | tuple[str, int]:
    """Email a new link in place of an expired one (to the account's own address)."""
    form = ConfirmForm.from_request()
    if not form.is_submitted_and_valid() or len(token) > MAX_TOKEN:
        return link_gone(LinkState.UNKNOWN)
    db = get_session()
    links = invitations.link_maker(current_app.config["MAIL_SITE_URL"])
    if not invitations.renew(db, token, links):
        db.rollback()
        return link_gone(LinkState.UNKNOWN)
    db.commit()
    flash("A new link is on its way to your email address. It works for "
          f"{invitations.INVITE_LIFETIME.days} days.", "success")
    return redirect(url_for("auth.login"))


def link_gone(state: LinkState) -> tuple[str, int]:
    """A clear page for a link that cannot be used: 410 once expired (with a button for
    a new link), else 404."""
    status, message = GONE[state]
    renewal = ConfirmForm() if state == LinkState.EXPIRED else None
    return render_template("auth/set_password.html", form=None, gone=message,
                           renewal=renewal), status
