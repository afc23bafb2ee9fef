"""Domain errors that views turn into field messages, 404s and 409s."""

from __future__ import annotations


class FieldErrors(ValueError):
    """Input that breaks a rule; ``fields`` maps field name to a message for the person."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class Conflict(Exception):
    """The request is well-formed but clashes with the current state (HTTP 409)."""


class NotFound(LookupError):
    """The object does not exist, or the actor may not know that it does (HTTP 404)."""
