"""JSON API v1 under /api/v1: each module adds its routes to the blueprint."""

from __future__ import annotations

from mentorship.api import (
    health,
    matching,
    notifications,
    openapi,
    programs,
    rounds,
    tokens,
    users,
    workspace,
)
from mentorship.api.blueprint import bp

__all__ = ["bp", "health", "matching", "notifications", "openapi", "programs", "rounds", "tokens",
           "users", "workspace"]
