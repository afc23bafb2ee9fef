"""A mentee finds and requests a mentor; a mentor answers requests."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__)
