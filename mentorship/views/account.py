"""Account settings: name, email and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.auth import count_attempt
from mentorship.db import get_session
from mentorship.forms import AccountForm, BaseForm, PasswordForm
from mentorship.services import accounts, ratelimit
from mentorship.services.errors import FieldErrors
from mentorship.views import commit_form, render_form

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = AccountForm.from_request(obj=current_user)
    if form.is_submitted_and_valid():
        # Only a new email checks the password, so only then is it a guess worth counting.
        attempt: list[int] = []
        if accounts.changes_email(current_user, form.email.data):
            attempt, wait = count_attempt(ratelimit.confirm_keys(current_user.id))
            if wait is not None:
                return _too_many(form, "account/settings.html", wait, password_form=PasswordForm())
        if commit_form(form, lambda db: accounts.update_account(
                db, current_user, name=form.name.data, email=form.email.data,
                current_password=form.current_password.data)):
            if attempt:
                _password_was_right(attempt)
            flash("Account saved.", "success")
            return redirect(url_for("account.settings"))
    return render_form("account/settings.html", form, password_form=PasswordForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Change the password; every other device and API token is signed out."""
    form = PasswordForm.from_request()
    if form.is_submitted_and_valid():
        attempt, wait = count_attempt(ratelimit.confirm_keys(current_user.id))
        if wait is not None:
            return _too_many(form, "account/password.html", wait)
        if commit_form(form, lambda db: accounts.change_password(
                db, current_user, current=form.current_password.data, new=form.new_password.data,
                keep_token=current_user.get_id())):
            _password_was_right(attempt)
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.settings"))
    return render_form("account/password.html", form)


def _password_was_right(attempt: list[int]) -> None:
    """Forget this check and the earlier wrong ones: they were the owner's typos."""
    db = get_session()
    ratelimit.forget_attempt(db, attempt, ratelimit.confirm_keys(current_user.id))
    db.commit()


def _too_many(form: BaseForm, template: str, wait: int, **context: object) -> tuple[str, int, dict[str, str]]:
    """The page again, 429 with Retry-After, and why at the password field."""
    form.add_errors(FieldErrors({"current_password": "Too many tries of your current password. "
                                                     "Try again in a few minutes."}))
    return render_template(template, form=form, **context), 429, {"Retry-After": str(wait)}
