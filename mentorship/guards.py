"""Checks that wrap every request: CSRF on state changes and the security headers."""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from mentorship.auth import is_api_request
from mentorship.forms import ConfirmForm

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    """The current session's CSRF token, for forms without a WTForms object and for scripts."""
    form = ConfirmForm()
    return form.csrf_token.current_token if hasattr(form, "csrf_token") else ""


def refuse_nul_characters() -> None:
    """400 for a NUL character anywhere in the query or form: no keyboard types one,
    and PostgreSQL cannot store one, so it only ever comes from a crafted request."""
    values = [*request.args.values(), request.path]
    if request.method not in SAFE_METHODS and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.values(), *request.form.keys()]
    if any("\x00" in value for value in values):
        abort(400, description="The request contains a character that is not allowed.")


def check_csrf() -> None:
    """Refuse any state change without a valid token (form field or X-CSRF-Token header).

    Done once here rather than per view, so no endpoint can forget it. API requests that
    authenticate with a bearer token, or send no sign-in cookie at all, carry no ambient
    credentials and are exempt.
    """
    if request.method in SAFE_METHODS or not current_app.config["CSRF_ENABLED"]:
        return
    if is_api_request() and (request.headers.get("Authorization", "").startswith("Bearer ")
                             or not sends_sign_in_cookie()):
        return  # nothing ambient to forge with: bearer tokens, or no cookie at all
    token = request.headers.get("X-CSRF-Token")
    if token is None and request.mimetype in ("application/x-www-form-urlencoded",
                                              "multipart/form-data"):
        token = request.form.get("csrf_token")
    form = ConfirmForm(formdata=MultiDict({"csrf_token": token or ""}))
    if not form.validate():
        abort(400, description="The form expired or was not sent from this site. "
                               "Reload the page and try again.")


def sends_sign_in_cookie() -> bool:
    """Whether the request carries a cookie that Flask-Login could sign it in with."""
    names = (current_app.config["SESSION_COOKIE_NAME"],
             current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response
