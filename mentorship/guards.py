"""Checks that wrap every request: CSRF on state changes and the security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from mentorship.errors import is_api_request
from mentorship.forms import ConfirmForm, session_csrf_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
CSRF_FAILED = ("The form expired or was not sent from this site. "
               "Reload the page and try again.")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    """Install the per-request checks and the security headers; templates get ``csrf_token``."""
    app.before_request(refuse_nul_characters)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    """The current session's CSRF token, for forms without a WTForms object and for scripts.

    Made once per request: a page asks for it in its head and in every button form.
    """
    if "csrf_token" not in g:
        g.csrf_token = session_csrf_token()
    return str(g.csrf_token)


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
    """Refuse any state change without a valid token (form field or X-CSRF-Token header),
    or sent from another site's page (``Origin``, else ``Referer``).

    Done once here rather than per view, so no endpoint can forget it. API requests that
    authenticate with a bearer token, or send no sign-in cookie at all, carry no ambient
    credentials and are exempt.
    """
    if request.method in SAFE_METHODS or not current_app.config["CSRF_ENABLED"]:
        return
    if is_api_request() and (request.headers.get("Authorization", "").startswith("Bearer ")
                             or not sends_sign_in_cookie()):
        return  # nothing ambient to forge with: bearer tokens, or no cookie at all
    if not sent_from_this_site():
        refuse_csrf("origin")
    token = request.headers.get("X-CSRF-Token")
    if token is None and request.mimetype in ("application/x-www-form-urlencoded",
                                              "multipart/form-data"):
        token = request.form.get("csrf_token")
    form = ConfirmForm(formdata=MultiDict({"csrf_token": token or ""}))
    if not form.validate():
        refuse_csrf("token")


def refuse_csrf(reason: str) -> None:
    """400, flagged on ``g`` so the security log can tell it from other bad requests."""
    g.csrf_refused = reason
    abort(400, description=CSRF_FAILED)


def sent_from_this_site() -> bool:
    """Whether the page that sent the request is on this site, judged by ``Origin``.

    A second line behind the token: a token that leaked to another site is still refused
    there. Without ``Origin`` the ``Referer`` stands in; with neither (privacy tools strip
    both) the token alone decides. ``Origin: null`` (sandboxed frames, cross-site
    redirects) is refused. This site is the scheme, host and port the request came to,
    as ProxyFix (``PROXY_COUNT``) reports them, plus any ``TRUSTED_ORIGINS``.
    """
    sender = request.headers.get("Origin")
    if sender is None:
        sender = request.headers.get("Referer")
        if sender is None:
            return True
    allowed = {origin_of(request.host_url)}
    allowed |= {origin_of(url) for url in trusted_origins()}
    origin = origin_of(sender)
    return origin is not None and origin in allowed


def trusted_origins() -> list[str]:
    """``TRUSTED_ORIGINS``: a list, or text with the origins separated by commas or spaces."""
    value = current_app.config.get("TRUSTED_ORIGINS") or []
    return value.replace(",", " ").split() if isinstance(value, str) else list(value)


def origin_of(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, the port filled in; None if it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def sends_sign_in_cookie() -> bool:
    """Whether the request carries a cookie that Flask-Login could sign it in with."""
    names = (current_app.config["SESSION_COOKIE_NAME"],
             current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def add_security_headers(response: Response) -> Response:
    """The security headers (CSP, framing, sniffing, referrer; HSTS with HTTPS-only cookies).

    Pages seen signed in are ``no-store``: they hold personal data no cache should keep.
    """
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
