"""Error pages and JSON errors, following the status table in PRODUCT.md."""

from __future__ import annotations

import logging

from flask import Flask, current_app, make_response, render_template
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from mentorship.auth import is_api_request, json_error
from mentorship.db import get_session

log = logging.getLogger(__name__)

RETRY_AFTER_UNAVAILABLE = "5"
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media",
         422: "invalid", 429: "too_many_requests", 503: "unavailable"}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)


def render_error(status: int, message: str) -> Response:
    if is_api_request():
        return json_error(status, CODES.get(status, "error"), message)
    return make_response(render_template("errors/error.html", status=status, message=message),
                         status)


def handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = render_error(status, exc.description or "")
    retry_after = exc.response.headers.get("Retry-After") if exc.response is not None else None
    if retry_after or status == 429:  # a 429 always says when to come back
        response.headers["Retry-After"] = retry_after or "60"
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def rollback_quietly() -> None:
    """Roll back the request's session; when the database is gone that may fail too."""
    try:
        get_session().rollback()
    except DBAPIError:
        log.warning("rollback failed; the connection will be discarded")


def handle_database_unavailable(exc: OperationalError) -> Response:
    """Locked or unreachable database: a generic 503, never the SQL."""
    log.warning("database unavailable: %s", exc.orig)
    rollback_quietly()
    response = render_error(503, "The service is busy. Please try again in a moment.")
    response.headers["Retry-After"] = RETRY_AFTER_UNAVAILABLE
    return response


def handle_unexpected(exc: Exception) -> Response:
    if current_app.testing:
        raise exc  # let the test see the traceback
    if isinstance(exc, DBAPIError):
        rollback_quietly()
    log.exception("unhandled error")
    return render_error(500, InternalServerError.description)
