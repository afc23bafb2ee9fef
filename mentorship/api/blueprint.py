"""The API blueprint and the rules every API response shares."""

from __future__ import annotations


from flask import Blueprint
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from mentorship.auth import json_error
from mentorship.db import get_session
from mentorship.services.errors import Conflict, FieldErrors, NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")

@bp.after_request
def no_store(response: Response) -> Response:
    """API answers carry personal data or tokens: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(FieldErrors)
def invalid_fields(exc: FieldErrors) -> Response:
    return json_error(422, "invalid", "Some fields are not valid.", exc.fields)


@bp.errorhandler(Conflict)
def conflict(exc: Conflict) -> Response:
    return json_error(409, "conflict", str(exc) or "This clashes with the current state.")


@bp.errorhandler(NotFound)
def not_found(_exc: NotFound) -> Response:
    return json_error(404, "not_found", "Not found.")


@bp.errorhandler(IntegrityError)
def lost_race(_exc: IntegrityError) -> Response:
    """A unique rule that a simultaneous request won at commit time."""
    get_session().rollback()
    return json_error(409, "conflict", "This clashes with a change made at the same time. "
                                       "Reload and try again.")


def too_many_attempts(wait: int) -> Response:
    response = json_error(429, "too_many_requests",
                          "Too many attempts. Try again in a few minutes.")
    response.headers["Retry-After"] = str(wait)
    return response
