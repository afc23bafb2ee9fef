"""Sign-up, sign-in and sign-out pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from mentorship.auth import begin_attempt, check_credentials, safe_next, sign_in
from mentorship.db import get_session
from mentorship.forms import LoginForm, RegisterForm
from mentorship.services import accounts
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.ratelimit import SIGN_UP
from mentorship.services.specs import CREDENTIALS
from mentorship.views import form_page

bp = Blueprint("auth", __name__)

REGISTERED_MESSAGE = ("Your account is ready if this email was not already registered. "
                      "Sign in to continue.")


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | tuple[str, int]:
    """Sign up, then sign in with the new password.

    A new and a taken email get the same answer (and the same hashing work), so the
    page cannot be used to find out who has an account.
    """
    form = RegisterForm.from_request()
    page = form_page("auth/register.html", form)
    if not form.is_submitted_and_valid():
        return page.render()
    begin_attempt(SIGN_UP, request.remote_addr or "unknown")
    db = get_session()
    try:
        accounts.register_user(db, **form.values())
        db.commit()
    except Conflict:
        db.rollback()  # answered like a new account
    flash(REGISTERED_MESSAGE, "success")
    return redirect(url_for("auth.login", next=url_for("profiles.edit")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    """Sign in; a wrong password and an unknown email get the same message.

    Throttled per account and per address; only wrong passwords count towards the limits.
    """
    form = LoginForm.from_request()
    page = form_page("auth/login.html", form)
    if not form.is_submitted_and_valid():
        return page.render()
    values = CREDENTIALS.clean(form.values(CREDENTIALS), partial=False)
    user = check_credentials(values["email"], values["password"])
    if user is None:
        raise FieldErrors({"": accounts.WRONG_CREDENTIALS})
    sign_in(user, remember=bool(form.remember.data))
    get_session().commit()
    return redirect(safe_next())


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign this device out for good: its server-side session row is deleted.

    POST only, and like every POST it passed the CSRF check in ``guards``.
    """
    db = get_session()
    accounts.end_login_session(db, current_user.get_id())
    db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
