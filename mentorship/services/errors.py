"""Domain errors. The app-level handlers (``mentorship/errors.py``) turn each into an
HTML page or a JSON error with the status of the table in the README ("JSON API"
section); form views show them at the form instead."""

from __future__ import annotations


class FieldErrors(ValueError):
    """Input that breaks a rule; ``fields`` maps field name to a message for the person (422)."""

    def __init__(self, fields: dict[str, str]) -> None:
        """Keep ``fields``; the exception's text lists them all."""
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class Conflict(Exception):
    """The request is well-formed but clashes with the current state (409)."""


class StaleEdit(Conflict):
    """A save based on an older version of the record than the stored one (409).

    ``changed`` maps each sent field whose stored value differs from what was sent to
    its (label, stored value as shown); ``version`` is the stored version, so the form
    can offer to save again over it.
    """

    def __init__(self, changed: dict[str, tuple[str, str]], version: int) -> None:
        """Word the 409 message: what was saved meanwhile, and that their entries are kept."""
        saved = "; ".join(f"{label}: {value or '(empty)'}" for label, value in changed.values())
        super().__init__("Someone saved this after you opened it"
                         + (f". Saved now, where it differs from yours: {saved}" if saved else "")
                         + ". Your entries are kept below: save again to keep them.")
        self.changed = changed
        self.version = version

    @property
    def fields(self) -> dict[str, str]:
        """Per field, what it holds now (the API's ``fields``)."""
        return {name: f"Saved meanwhile as: {value or '(empty)'}"
                for name, (_label, value) in self.changed.items()}


class NotFound(LookupError):
    """The object does not exist, or the actor may not know that it does (404)."""


class TooManyAttempts(Exception):
    """A throttle's limit is passed; ``retry_after`` is the wait in seconds (429)."""

    def __init__(self, retry_after: int, message: str = "Too many attempts. "
                 "Try again in a few minutes.") -> None:
        """Wait ``retry_after`` seconds; a throttle that reports at a form field sets ``field``."""
        super().__init__(message)
        self.retry_after = retry_after
        self.field: str | None = None  # the form field to show the message at, if any
