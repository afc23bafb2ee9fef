"""Who is signed in: the LoginManager, the user loader, the gates and the throttle step.

Pages for signing in and out live in ``views/auth.py``; error responses in ``errors.py``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user
from werkzeug.wrappers import Response

from mentorship.db import get_session, reads_only
from mentorship.errors import is_api_request, json_error
from mentorship.models import User
from mentorship.security import is_safe_next
from mentorship.services import accounts
from mentorship.services.errors import FieldErrors
from mentorship.services.ratelimit import SIGN_IN, Attempt, Throttle, sign_in_subjects

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    """Set up Flask-Login, its remember-me cookie defaults and the answer for visitors."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.unauthorized_handler(_unauthorized)
    app.config.setdefault("REMEMBER_COOKIE_DURATION", accounts.REMEMBER_LIFETIME)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    """The user of the cookie's device session; None once it has expired or was signed out."""
    db = get_session()
    user = accounts.user_for_login_token(db, token)
    # A request that may write ends this read here: its own transaction starts when it
    # needs one, so a slow step before its first query (a password hash) never holds the
    # write lock. A request that only reads takes no lock: it goes on in this transaction,
    # saving a commit, a new transaction and a connection checkout on every page.
    if not reads_only():
        db.commit()
    return user


def _unauthorized() -> Response:
    """Not signed in: 401 under ``/api/``, else to the sign-in page, coming back here after."""
    if is_api_request():
        return json_error(401, "unauthorized", "Sign in or send a valid API token.")
    target = request.full_path.rstrip("?")
    return redirect(url_for("auth.login", next=target if is_safe_next(target) else None))


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Page-level gate: signed in and an admin, else 403."""
    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs: Any) -> Any:
        """Run ``view`` for admins; 403 for anyone else."""
        if not current_user.is_admin:
            abort(403)
        return view(**kwargs)
    return wrapped


def safe_next(default: str = "main.home") -> str:
    """Where to go after signing in: ``?next=`` if it is a path on this site, else ``default``."""
    target = request.args.get("next")
    return target if target and is_safe_next(target) else url_for(default)


def sign_in(user: User, *, remember: bool) -> None:
    """Start a fresh cookie session for ``user`` (nothing from before sign-in survives)."""
    session.clear()
    accounts.start_login_session(get_session(), user, remember=remember)
    login_user(user, remember=remember)


def begin_attempt(throttle: Throttle, *subjects: str) -> Attempt:
    """Record one attempt, commit it, then check the limits (TooManyAttempts if passed).

    Committing before counting makes simultaneous requests count each other; the
    count's transaction is ended too, so the slow check that follows holds no lock.
    """
    db = get_session()
    attempt = throttle.record(db, *subjects)
    db.commit()
    try:
        throttle.check(db, attempt, current_app.config)
    finally:
        db.commit()
    return attempt


def check_credentials(email: str, password: str) -> User | None:
    """The user whose email and password these are, or None; throttled per account and
    address (TooManyAttempts), and the slow password check holds no database lock."""
    attempt = begin_attempt(SIGN_IN, *sign_in_subjects(email, request.remote_addr))
    db = get_session()
    user = accounts.user_by_email(db, email)
    db.commit()  # end the lookup's transaction before the password check
    ok = accounts.password_matches(user, password) and user is not None
    end_attempt(SIGN_IN, attempt, succeeded=ok)
    db.commit()
    return user if ok else None


def end_attempt(throttle: Throttle, attempt: Attempt, *, succeeded: bool) -> None:
    """Settle an attempt in the request's transaction (the caller commits)."""
    db = get_session()
    if succeeded:
        throttle.succeeded(db, attempt)
    else:
        throttle.failed(db, attempt)


@contextlib.contextmanager
def password_check(throttle: Throttle, field: str, *subjects: str) -> Iterator[None]:
    """Throttle a service call that checks a password and names ``field`` when it is wrong.

    The attempt counts as failed only if the service refused that field; either way it
    is settled and committed before the refusal reaches the error handlers.
    """
    attempt = begin_attempt(throttle, *subjects)
    try:
        yield
    except FieldErrors as exc:
        end_attempt(throttle, attempt, succeeded=field not in exc.fields)
        get_session().commit()
        raise
    end_attempt(throttle, attempt, succeeded=True)
