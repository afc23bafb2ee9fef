"""Field rules shared by the HTML forms and the JSON API.

Each ``clean_*`` takes raw input and returns the normalised value, or raises
``ValueError`` with a message fit to show next to the field.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

import pycountry

from mentorship.models import CAPACITY_MAX, CAPACITY_MIN
from mentorship.services.errors import FieldErrors
from mentorship.services.matches import normalize_tags, placeable_timezones

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
EMAIL_MAX = 254  # RFC 5321 path limit
MAX_TAGS, MAX_TAG_LENGTH = 30, 60
MAX_YEARS = 70


@cache
def language_names() -> dict[str, str]:
    """ISO 639-1 code -> English name, for every language that has a two-letter code."""
    return {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}


@cache
def timezone_names() -> frozenset[str]:
    return placeable_timezones(zoneinfo.available_timezones())


def clean_text(value: object, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    value = value.strip()
    if required and not value:
        raise ValueError("This field is required.")
    if len(value) > max_length:
        raise ValueError(f"Use at most {max_length} characters.")
    return value


def clean_email(value: object) -> str:
    email = clean_text(value, max_length=EMAIL_MAX, required=True)
    if not EMAIL_RE.match(email):
        raise ValueError("Enter a valid email address, like name@example.org.")
    if len(normalize_email(email)) > EMAIL_MAX:  # case folding can lengthen text ("ß" -> "ss")
        raise ValueError(f"Use at most {EMAIL_MAX} characters.")
    return email


def normalize_email(email: str) -> str:
    """The form an email is compared in: case-insensitive, surrounding blanks ignored."""
    return email.strip().casefold()


def clean_languages(value: object) -> list[str]:
    codes = split_list(value)
    known = language_names()
    unknown = [c for c in (code.lower() for code in codes) if c not in known]
    if unknown:
        raise ValueError(f"Unknown language code: {', '.join(unknown[:3])}. "
                         "Use two-letter ISO 639-1 codes such as en, de, pt.")
    return list(dict.fromkeys(code.lower() for code in codes))


def clean_timezone(value: object) -> str | None:
    name = clean_text(value, max_length=64)
    if not name:
        return None
    if name not in timezone_names():
        raise ValueError(f"Unknown time zone {name!r}. Use a name such as Europe/Berlin.")
    return name


def clean_int(value: object, *, low: int, high: int, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise ValueError("This field is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("Must be a whole number.")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("Must be a whole number.") from None
    if not low <= number <= high:
        raise ValueError(f"Must be between {low} and {high}.")
    return number


def clean_years(value: object) -> int | None:
    return clean_int(value, low=0, high=MAX_YEARS)


def clean_capacity(value: object) -> int:
    return clean_int(value, low=CAPACITY_MIN, high=CAPACITY_MAX, required=True)  # type: ignore[return-value]


def clean_tags(value: object) -> list[str]:
    tags = split_list(value)
    too_long = [t for t in tags if len(t) > MAX_TAG_LENGTH]
    if too_long:
        raise ValueError(f"Keep each entry under {MAX_TAG_LENGTH} characters.")
    tags = normalize_tags(tags)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"Use at most {MAX_TAGS} entries.")
    return tags


def clean_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("Use a date like 2027-01-31.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Use a date like 2027-01-31.") from None


def clean_choice(value: object, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if value not in allowed:
        raise ValueError(f"Choose one of: {', '.join(allowed)}.")
    return value  # type: ignore[return-value]


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
    return [item.strip() for item in items if item.strip()]


def clean_fields(data: Mapping[str, object],
                 rules: Mapping[str, Callable[[object], Any]]) -> dict[str, Any]:
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
