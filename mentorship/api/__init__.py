"""JSON API v1 under /api/v1: each module adds its routes to the blueprint."""

from __future__ import annotations

from mentorship.api import (
    matching,
    notifications,
    openapi,
    program_data,
    programs,
    rounds,
    tokens,
    users,
    workspace,
)
from mentorship.api.blueprint import bp

__all__ = ["bp", "matching", "notifications", "openapi", "program_data", "programs", "rounds",
           "tokens", "users", "workspace"]
