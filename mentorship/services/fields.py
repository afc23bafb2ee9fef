"""Cleaners: raw input (form text or JSON) to a stored value, or ``ValueError`` with a message.

Every message is written once, here, and shown unchanged at the form field and in the
API's ``fields``. Field specifications (``services/specs.py``) pick a cleaner per field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from mentorship.models.base import ID_MAX
from mentorship.services.errors import FieldErrors
from mentorship.services.vocabulary import language_names, normalize_tags, timezone_names

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
EMAIL_MAX = 254  # RFC 5321 path limit
MAX_TAGS, MAX_TAG_LENGTH = 30, 60
WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # ASCII digits only: not "１", "١" or "1_0"
# Letters that render as nothing although Unicode files them as letters or symbols.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

REQUIRED = "This field is required."
WHOLE_NUMBER_MESSAGE = "Must be a whole number."


def shows_something(value: str) -> bool:
    """False for text made only of spaces, controls and invisible characters (U+200B, U+FEFF…)."""
    return any(unicodedata.category(c)[0] not in "CZ" and c not in BLANK_LETTERS for c in value)


def too_long(max_length: int) -> str:
    """The message for text over ``max_length`` characters."""
    return f"Use at most {max_length} characters."


def clean_text(value: object, *, max_length: int, required: bool = False) -> str:
    """Text without surrounding blanks; text that shows nothing is blank."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    value = value.strip()
    if not shows_something(value):
        value = ""
    if required and not value:
        raise ValueError(REQUIRED)
    if len(value) > max_length:
        raise ValueError(too_long(max_length))
    return value


def clean_email(value: object) -> str:
    """An email address as typed, trimmed; its compared form must fit the limit too."""
    email = clean_text(value, max_length=EMAIL_MAX, required=True)
    if not EMAIL_RE.match(email):
        raise ValueError("Enter a valid email address, like name@example.org.")
    if len(normalize_email(email)) > EMAIL_MAX:  # case folding can lengthen text ("ß" -> "ss")
        raise ValueError(too_long(EMAIL_MAX))
    return email


def normalize_email(email: str) -> str:
    """The form an email is compared in: case-insensitive, surrounding blanks ignored."""
    return email.strip().casefold()


def clean_languages(value: object) -> list[str]:
    """ISO 639-1 codes, lowercased and without duplicates."""
    codes = split_list(value)
    known = language_names()
    unknown = [c for c in (code.lower() for code in codes) if c not in known]
    if unknown:
        raise ValueError(f"Unknown language code: {', '.join(unknown[:3])}. "
                         "Use two-letter ISO 639-1 codes such as en, de, pt.")
    return list(dict.fromkeys(code.lower() for code in codes))


def clean_timezone(value: object) -> str | None:
    """An IANA zone a person can live in, or None when left blank."""
    name = clean_text(value, max_length=64)
    if not name:
        return None
    if name not in timezone_names():
        raise ValueError(f"Unknown time zone {name!r}. Use a name such as Europe/Berlin.")
    return name


def clean_int(value: object, *, low: int, high: int, required: bool = False) -> int | None:
    """A whole number in ``[low, high]`` from an int or from ASCII digits."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            raise ValueError(REQUIRED)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(WHOLE_NUMBER_MESSAGE)
    if isinstance(value, str):
        if not WHOLE_NUMBER.fullmatch(value) or len(value) > 12:
            raise ValueError(WHOLE_NUMBER_MESSAGE)
        value = int(value)
    if not low <= value <= high:
        raise ValueError(f"Must be between {low} and {high}.")
    return value


def clean_number(value: object, *, low: float, high: float) -> float:
    """A decimal number in ``[low, high]`` (ASCII digits, one optional point)."""
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"-?[0-9]{1,12}(\.[0-9]{1,12})?|-?\.[0-9]{1,12}", text):
            raise ValueError("Must be a number.")
        value = float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("Must be a number.")
    if not low <= value <= high:
        raise ValueError(f"Must be a number from {low:g} to {high:g}.")
    return float(value)


def clean_tags(value: object) -> list[str]:
    """Tags as the engine reads them (lowercase, canonical, no duplicates), at most MAX_TAGS."""
    tags = split_list(value)
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise ValueError(f"Keep each entry under {MAX_TAG_LENGTH} characters.")
    tags = normalize_tags(tags)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"Use at most {MAX_TAGS} entries.")
    return tags


def clean_date(value: object) -> date | None:
    """A date from ``YYYY-MM-DD`` text (or a date); None when blank."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Use a date like 2027-01-31.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Use a date like 2027-01-31.") from None


def clean_choice(value: object, choices: Iterable[str]) -> str:
    """``value`` if it is exactly one of ``choices`` (no trimming, no case folding)."""
    allowed = list(choices)
    for choice in allowed:
        if value == choice:
            return choice
    raise ValueError(f"Choose one of: {', '.join(allowed)}.")


def split_list(value: object) -> list[str]:
    """Accept a JSON list of strings or comma-separated text, as people type it."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise ValueError("Must be a list of text entries.")
    return [item.strip() for item in items if shows_something(item.strip())]


def collect(data: Mapping[str, object], rules: Mapping[str, Any]) -> dict[str, Any]:
    """Run each rule on the fields present in ``data``; all messages at once, or the values."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, rule in rules.items():
        if name in data:
            try:
                values[name] = rule(data[name])
            except ValueError as exc:
                errors[name] = str(exc)
    if errors:
        raise FieldErrors(errors)
    return values



def clean_cursor(value: object, *, field: str = "before") -> int | None:
    """A paging cursor (``?before=<id>``): None for the first page, also for a number past
    every id that can exist; FieldErrors for anything but digits."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,12}", value):
        raise FieldErrors({field: WHOLE_NUMBER_MESSAGE})
    cursor = int(value)
    return None if cursor > ID_MAX else cursor
