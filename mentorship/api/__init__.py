"""JSON API v1 under /api/v1: each module adds its routes to the blueprint."""

from __future__ import annotations

from mentorship.api import (
    audit,
    feedback,
    goals,
    health,
    matching,
    meetings,
    notifications,
    openapi,
    program_data,
    programs,
    rounds,
    thread,
    tokens,
    users,
    workspace,
)
from mentorship.api.blueprint import bp

__all__ = ["bp", "audit", "feedback", "goals", "health", "matching", "meetings",
           "notifications", "openapi", "program_data", "programs", "rounds", "thread",
           "tokens", "users", "workspace"]
