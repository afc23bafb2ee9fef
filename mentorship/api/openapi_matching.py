"""The OpenAPI description of the match requests, suggestions, pairings and notifications routes."""

from __future__ import annotations

from typing import Any

PATHS: dict[str, Any] = {}
SCHEMAS: dict[str, Any] = {}
