"""One place where errors become responses, following the status table in README.md ("JSON API").

Services raise domain errors (``services/errors.py``); these handlers pick the answer:
JSON ``{"error": {"code", "message", "fields"}}`` under ``/api/``, otherwise the form
page the view registered (``views.form_page``) with the messages at their fields, or
the error page. Views therefore never translate errors themselves.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from mentorship.db import get_session, mark_unavailable
from mentorship.services.errors import (
    Conflict,
    FieldErrors,
    NotFound,
    StaleEdit,
    TooManyAttempts,
)

log = logging.getLogger(__name__)

RETRY_AFTER_UNAVAILABLE = "5"
BUSY_MESSAGE = "The service is busy. Please try again in a moment."
RACE_MESSAGE = "This clashes with a change made at the same time. Reload and try again."
INVALID_MESSAGE = "Some fields are not valid."
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media",
         422: "invalid", 429: "too_many_requests", 503: "unavailable"}


def init_app(app: Flask) -> None:
    """Register a handler per error type; anything else reaches ``handle_unexpected``."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(FieldErrors, handle_field_errors)
    app.register_error_handler(Conflict, handle_conflict)
    app.register_error_handler(TooManyAttempts, handle_too_many)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(PoolTimeout, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)


def is_api_request() -> bool:
    """API requests get JSON errors and their own authentication rules."""
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str,
               fields: dict[str, str] | None = None) -> Response:
    """The API's error body, ``{"error": {"code", "message", "fields"}}``, with ``status``."""
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def render_error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """The error as JSON for the API, else as the registered form page or the error page."""
    if is_api_request():
        return json_error(status, CODES.get(status, "error"), message, fields)
    page = g.get("form_page")
    if page is not None and status in (409, 422, 429):
        if fields is None:
            page.form.form_errors.append(message)
        return make_response(page.render(status))
    return make_response(render_template("errors/error.html", status=status, message=message),
                         status)


def handle_http(exc: HTTPException) -> Response:
    """An HTTP error (``abort``, routing, body limit), keeping ``Retry-After`` and ``Allow``."""
    status = exc.code or 500
    response = render_error(status, exc.description or "")
    retry_after = exc.response.headers.get("Retry-After") if exc.response is not None else None
    if retry_after or status == 429:  # a 429 always says when to come back
        response.headers["Retry-After"] = retry_after or "60"
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def handle_not_found(_exc: NotFound) -> Response:
    """Missing, or someone else's: the same answer, so ids reveal nothing."""
    return render_error(404, "Not found.")


def handle_field_errors(exc: FieldErrors) -> Response:
    """Invalid input: roll back, then 422 with each message at its field."""
    rollback_quietly()
    page = g.get("form_page")
    if page is not None and not is_api_request():
        page.form.add_errors(exc)
    return render_error(422, INVALID_MESSAGE, exc.fields)


def handle_conflict(exc: Conflict) -> Response:
    """409 after a rollback.

    A stale edit also hands back the stored version (as the ETag and in the form), so
    saving again applies the entries the person kept over it.
    """
    rollback_quietly()
    page = g.get("form_page")
    if isinstance(exc, StaleEdit):
        if page is not None and hasattr(page.form, "version"):
            page.form.version.data = str(exc.version)  # saving again keeps these entries
        response = render_error(409, str(exc), exc.fields if is_api_request() else None)
        response.headers["ETag"] = f'"{exc.version}"'
        return response
    return render_error(409, str(exc) or "This clashes with the current state.")


def handle_too_many(exc: TooManyAttempts) -> Response:
    """429 with ``Retry-After``; the message goes to the form field the throttle names, if any."""
    page = g.get("form_page")
    fields = {exc.field: str(exc)} if exc.field else None
    if page is not None and fields and not is_api_request():
        page.form.add_errors(FieldErrors(fields))
    response = render_error(429, str(exc), fields)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def handle_integrity(_exc: IntegrityError) -> Response:
    """A unique rule that a simultaneous request won at commit time."""
    rollback_quietly()
    return render_error(409, RACE_MESSAGE)


def rollback_quietly() -> None:
    """Roll back the request's session; when the database is gone that may fail too."""
    try:
        get_session().rollback()
    except DBAPIError:
        log.warning("rollback failed; the connection will be discarded")


def handle_database_unavailable(exc: Exception) -> Response:
    """Locked, unreachable or out of connections: a generic 503, never the SQL."""
    log.warning("database unavailable: %s", getattr(exc, "orig", exc))
    rollback_quietly()
    mark_unavailable()  # the error page asks it nothing more
    g.pop("form_page", None)  # the error page, not a form that could not be saved
    response = render_error(503, BUSY_MESSAGE)
    response.headers["Retry-After"] = RETRY_AFTER_UNAVAILABLE
    return response


def handle_unexpected(exc: Exception) -> Response:
    """Any other exception: log it and show a generic 500 (tests get the exception itself)."""
    if current_app.testing:
        raise exc  # let the test see the traceback
    if isinstance(exc, DBAPIError):
        rollback_quietly()
    log.exception("unhandled error")
    g.pop("form_page", None)
    return render_error(500, InternalServerError.description)
