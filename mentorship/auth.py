"""Sign-in: the LoginManager, register/login/logout pages, and permission gates."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import LoginForm, RegisterForm
from mentorship.security import is_safe_next
from mentorship.services import accounts, ratelimit
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.views import render_form

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

GENERIC_LOGIN_ERROR = "Email or password is not right."
REGISTERED_MESSAGE = ("Your account is ready if this email was not already registered. "
                      "Sign in to continue.")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.unauthorized_handler(_unauthorized)
    app.config.setdefault("REMEMBER_COOKIE_DURATION", accounts.REMEMBER_LIFETIME)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")


@login_manager.user_loader
def _load_user(token: str) -> Any:
    return accounts.user_for_login_token(get_session(), token)


def _unauthorized() -> Response:
    if is_api_request():
        return json_error(401, "unauthorized", "Sign in or send a valid API token.")
    target = request.full_path.rstrip("?")
    return redirect(url_for("auth.login", next=target if is_safe_next(target) else None))


def is_api_request() -> bool:
    """API requests get JSON errors and their own authentication rules."""
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str,
               fields: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Page-level gate: signed in and an admin, else 403."""
    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(**kwargs)
    return wrapped


def safe_next(default: str = "main.home") -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for(default)  # type: ignore[return-value]


def sign_in(user: Any, *, remember: bool) -> None:
    """Start a fresh cookie session for ``user`` (nothing from before sign-in survives)."""
    session.clear()
    accounts.start_login_session(get_session(), user, remember=remember)
    login_user(user, remember=remember)


def count_attempt(keys: ratelimit.Keys) -> tuple[list[int], int | None]:
    """Record one attempt against ``keys``: its ids, and the seconds to wait if a limit is passed.

    The attempt is committed before counting, so simultaneous requests count each
    other and no burst slips past the limit.
    """
    db = get_session()
    attempt = ratelimit.record_attempt(db, keys)
    db.commit()
    return attempt, ratelimit.retry_after(db, keys)


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | tuple[str, int] | str:
    """Sign up, then sign in with the new password.

    A new and a taken email get the same answer (and the same hashing work), so the
    page cannot be used to find out who has an account.
    """
    form = RegisterForm.from_request()
    if form.is_submitted_and_valid():
        _, wait = count_attempt(ratelimit.sign_up_keys(request.remote_addr))
        if wait is not None:
            form.form_errors.append("Too many sign-ups from your network. Try again later.")
            return render_template("auth/register.html", form=form), 429, {"Retry-After": str(wait)}
        db = get_session()
        try:
            accounts.register_user(db, name=form.name.data, email=form.email.data,
                                   password=form.password.data)
            db.commit()
        except FieldErrors as exc:
            form.add_errors(exc)
        except Conflict:
            db.rollback()
        if not form.errors and not form.form_errors:
            flash(REGISTERED_MESSAGE, "success")
            return redirect(url_for("auth.login", next=url_for("profiles.edit")))
    return render_form("auth/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    form = LoginForm.from_request()
    if not form.is_submitted_and_valid():
        return render_form("auth/login.html", form)
    keys = ratelimit.sign_in_keys(form.email.data, request.remote_addr)
    attempt, wait = count_attempt(keys)
    if wait is not None:
        form.form_errors.append("Too many attempts. Try again in a few minutes.")
        return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
    db = get_session()
    user = accounts.authenticate(db, form.email.data, form.password.data)
    if user is None:
        form.form_errors.append(GENERIC_LOGIN_ERROR)
        return render_template("auth/login.html", form=form), 422
    ratelimit.forget_attempt(db, attempt, keys)
    sign_in(user, remember=form.remember.data)
    db.commit()
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
