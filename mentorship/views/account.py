"""Account settings: name, email and password; one's data to download, and deleting it all."""

from __future__ import annotations

import contextlib
import json

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from mentorship.auth import password_check
from mentorship.db import get_session
from mentorship.forms import AccountForm, DeleteAccountForm, PasswordForm
from mentorship.services import accounts, personal_data
from mentorship.services.ratelimit import CONFIRM
from mentorship.services.specs import ACCOUNT
from mentorship.views import form_page

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int]:
    """Name and email; a new email needs the current password, which is throttled."""
    form = AccountForm.from_request(data=ACCOUNT.form_data(current_user))
    page = form_page("account/settings.html", form, password_form=PasswordForm())
    if not form.is_submitted_and_valid():
        return page.render()
    values = form.values(ACCOUNT)
    # Only a new email checks the password, so only then is it a guess worth counting.
    guarded = (password_check(CONFIRM, "current_password", str(current_user.id))
               if accounts.changes_email(current_user, values.get("email"))
               else contextlib.nullcontext())
    db = get_session()
    with guarded:
        accounts.update_account(db, current_user, values, form.current_password.data)
    db.commit()
    flash("Account saved.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | tuple[str, int]:
    """Change the password; every other device and API token is signed out."""
    form = PasswordForm.from_request()
    page = form_page("account/password.html", form)
    if not form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    with password_check(CONFIRM, "current_password", str(current_user.id)):
        accounts.change_password(db, current_user, current=form.current_password.data,
                                 new=form.new_password.data, keep_token=current_user.get_id())
    db.commit()
    flash("Password changed. Other devices have been signed out.", "success")
    return redirect(url_for("account.settings"))


@bp.get("/data.json")
@login_required
def my_data() -> Response:
    """Everything the platform holds about the signed-in person, as one JSON file."""
    document = personal_data.everything_about(get_session(), current_user)
    response = Response(json.dumps(document, indent=2, ensure_ascii=False),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-mentorship-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete() -> Response | tuple[str, int]:
    """Delete the account, after the password and an explicit confirmation."""
    form = DeleteAccountForm.from_request()
    page = form_page("account/delete.html", form)
    if not form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    token = current_user.get_id()
    with password_check(CONFIRM, "password", str(current_user.id)):
        personal_data.delete_account_confirmed(db, current_user, password=form.password.data,
                                               confirmed=form.confirm.data)
    accounts.end_login_session(db, token)
    db.commit()
    logout_user()
    flash("Your account is deleted. Your partners keep your shared history, without your "
          "name or your messages.", "success")
    return redirect(url_for("main.home"))
