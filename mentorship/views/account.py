"""Account settings: name, email and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.forms import AccountForm, PasswordForm
from mentorship.services import accounts
from mentorship.views import commit_form, render_form

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int]:
    form = AccountForm.from_request(obj=current_user)
    if form.is_submitted_and_valid() and commit_form(form, lambda db: accounts.update_account(
            db, current_user, name=form.name.data, email=form.email.data,
            current_password=form.current_password.data)):
        flash("Account saved.", "success")
        return redirect(url_for("account.settings"))
    return render_form("account/settings.html", form, password_form=PasswordForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | tuple[str, int]:
    """Change the password; every other device and API token is signed out."""
    form = PasswordForm.from_request()
    if form.is_submitted_and_valid() and commit_form(form, lambda db: accounts.change_password(
            db, current_user, current=form.current_password.data, new=form.new_password.data,
            keep_token=current_user.get_id())):
        flash("Password changed. Other devices have been signed out.", "success")
        return redirect(url_for("account.settings"))
    return render_form("account/password.html", form)
