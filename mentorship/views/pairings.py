"""My mentorships, a pairing's page, and ending a mentorship."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pairings", __name__, url_prefix="/pairings")
