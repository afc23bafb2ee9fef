"""The API blueprint and the rules every API response shares.

Errors are answered by the app-level handlers in ``mentorship/errors.py``, which
speak JSON under ``/api/``.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def no_store(response: Response) -> Response:
    """API answers carry personal data or tokens: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response
