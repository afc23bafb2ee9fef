"""Field specifications: each entity's fields declared once.

A ``Field`` holds what a person or a client needs to know about one input — its
label, help, limits, default, choices — and how to clean it. Everything else is
derived from it: the services clean input with ``Spec.clean``, the API serialises
with ``Spec.dump`` and documents with ``Spec.schema``, and ``forms.form_for`` builds
the WTForms fields. Limits the database also enforces (string lengths, CHECK ranges)
are read from the models, so they are declared once there.

Adding a field to an entity: its column in ``models/`` (plus a migration) and one
``Field`` in the entity's spec below.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mentorship.models import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    EXPIRY_MAX,
    EXPIRY_MIN,
    PENDING_MAX,
    PENDING_MIN,
    QUIET_MAX,
    QUIET_MIN,
    YEARS_MAX,
    Availability,
    Profile,
    Program,
    ProgramStatus,
    Role,
    User,
)
from mentorship.security import PASSWORD_MAX, PASSWORD_MIN
from mentorship.services import fields as clean
from mentorship.services.vocabulary import CRITERION_LABELS

LONG_TEXT = 4000  # free text such as a bio or goals (the column is unbounded TEXT)
WEIGHT_MAX = 100


def column_length(column: Any) -> int:
    """The length of a ``String(n)`` column, so a limit lives in the model alone."""
    return int(column.property.columns[0].type.length)


@dataclass(frozen=True)
class Field:
    """One input of an entity. ``kind`` picks the cleaner, JSON type and widget."""

    name: str
    label: str
    kind: str = "text"  # text, lowercase, textarea, email, password, int, date, choice, tags,
    #                     languages, timezone, weights
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    required: bool = False
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    enum: type[enum.Enum] | None = None
    keys: Mapping[str, str] = field(default_factory=dict)  # weights: key -> label

    def clean(self, value: object) -> Any:
        """The stored value for ``value``, or ``ValueError`` with the message to show."""
        return CLEANERS[self.kind](self, value)

    def dump(self, value: Any) -> Any:
        """The stored value as JSON."""
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, (list, dict)):
            return type(value)(value)
        if value is None and self.kind in ("text", "lowercase", "textarea"):
            return ""
        return value

    def show(self, value: Any) -> Any:
        """The stored value as a form shows it (lists as comma-separated text)."""
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(value)
        return self.dump(value)

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of this field's value, for the OpenAPI document."""
        return SCHEMAS[self.kind](self) | ({"description": self.help} if self.help else {})


def _text(f: Field, value: object) -> str:
    """Clean text of any text kind; a ``lowercase`` field is lowered first."""
    if f.kind == "lowercase" and isinstance(value, str):
        value = value.lower()  # before the length check: lowering can lengthen text
    return clean.clean_text(value, max_length=f.max_length or LONG_TEXT, required=f.required)


def _int(f: Field, value: object) -> int | None:
    """Clean a whole number within the field's bounds."""
    assert f.low is not None and f.high is not None
    return clean.clean_int(value, low=f.low, high=f.high, required=f.required)


def _password(f: Field, value: object) -> str:
    """Passwords are taken as typed (no stripping); their rules live in ``security``."""
    if not isinstance(value, str) or not value:
        raise ValueError(clean.REQUIRED if value in (None, "") else "Must be text.")
    if f.max_length and len(value) > f.max_length:
        raise ValueError(clean.too_long(f.max_length))
    return value


def _choice(f: Field, value: object) -> Any:
    """Clean one of the field's choices, as its enum member when it has an enum."""
    chosen = clean.clean_choice(value, [v for v, _ in f.choices])
    return f.enum(chosen) if f.enum else chosen


def _weights(f: Field, value: object) -> dict[str, float]:
    """Clean criterion weights: known criteria only, each a number from 0 to WEIGHT_MAX."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ValueError("Must be an object of criterion weights.")
    unknown = sorted(set(value) - set(f.keys))
    if unknown:
        raise ValueError(f"Unknown criterion: {', '.join(unknown)}.")
    weights = {}
    for key, raw in value.items():
        try:
            weights[key] = clean.clean_number(raw, low=0, high=WEIGHT_MAX)
        except ValueError:
            raise ValueError(f"{f.keys[key]}: use a number from 0 to {WEIGHT_MAX}.") from None
    return weights


CLEANERS: dict[str, Callable[[Field, object], Any]] = {
    "text": _text, "textarea": _text, "lowercase": _text, "password": _password,
    "email": lambda f, v: clean.clean_email(v),
    "int": _int,
    "date": lambda f, v: clean.clean_date(v),
    "choice": _choice,
    "tags": lambda f, v: clean.clean_tags(v),
    "languages": lambda f, v: clean.clean_languages(v),
    "timezone": lambda f, v: clean.clean_timezone(v),
    "weights": _weights,
}


def _nullable(kind: str, f: Field, **extra: Any) -> dict[str, Any]:
    """A schema of JSON type ``kind``; a field that is not required also allows null."""
    return {"type": kind if f.required else [kind, "null"]} | extra


TAGS_SCHEMA = {"type": "array", "items": {"type": "string", "maxLength": clean.MAX_TAG_LENGTH},
               "maxItems": clean.MAX_TAGS}
SCHEMAS: dict[str, Callable[[Field], dict[str, Any]]] = {
    "text": lambda f: {"type": "string", "maxLength": f.max_length or LONG_TEXT},
    "lowercase": lambda f: {"type": "string", "maxLength": f.max_length or LONG_TEXT},
    "textarea": lambda f: {"type": "string", "maxLength": f.max_length or LONG_TEXT},
    "password": lambda f: {"type": "string", "maxLength": f.max_length},
    "email": lambda f: {"type": "string", "maxLength": clean.EMAIL_MAX, "format": "email"},
    "int": lambda f: _nullable("integer", f, minimum=f.low, maximum=f.high)
    | ({"default": f.default} if f.default is not None else {}),
    "date": lambda f: _nullable("string", f, format="date"),
    "choice": lambda f: {"enum": [v for v, _ in f.choices]}
    | ({"default": f.dump(f.default)} if f.default is not None else {}),
    "tags": lambda f: dict(TAGS_SCHEMA),
    "languages": lambda f: {"type": "array", "items": {"type": "string", "maxLength": 2},
                            "description": "ISO 639-1 codes"},
    "timezone": lambda f: {"type": ["string", "null"]},
    "weights": lambda f: {"type": "object", "additionalProperties": False,
                          "properties": {k: {"type": "number", "minimum": 0,
                                             "maximum": WEIGHT_MAX} for k in f.keys}},
}


@dataclass(frozen=True)
class Spec:
    """An entity's fields, in the order forms show them."""

    fields: tuple[Field, ...]

    def __getitem__(self, name: str) -> Field:
        """The field named ``name``."""
        return self.by_name[name]

    @property
    def by_name(self) -> dict[str, Field]:
        """The fields by name."""
        return {f.name: f for f in self.fields}

    @property
    def names(self) -> tuple[str, ...]:
        """The field names, in form order."""
        return tuple(f.name for f in self.fields)

    def clean(self, data: Mapping[str, object], *, partial: bool = True) -> dict[str, Any]:
        """Clean the fields present in ``data`` (all of them unless ``partial``).

        Every problem is reported at once, as ``FieldErrors``.
        """
        if not partial:
            data = {f.name: data.get(f.name, f.default) for f in self.fields}
        return clean.collect(data, {f.name: f.clean for f in self.fields})

    def dump(self, item: object) -> dict[str, Any]:
        """``item``'s fields as JSON values, for the API."""
        return {f.name: f.dump(getattr(item, f.name)) for f in self.fields}

    def form_data(self, item: object) -> dict[str, Any]:
        """``item``'s fields as a form shows them, to fill an edit form."""
        return {f.name: f.show(getattr(item, f.name)) for f in self.fields}

    def schema(self, *, required: tuple[str, ...] = (), closed: bool = False) -> dict[str, Any]:
        """The JSON Schema of the entity as an object; ``closed`` refuses unknown properties."""
        schema: dict[str, Any] = {"type": "object",
                                  "properties": {f.name: f.schema() for f in self.fields}}
        if required:
            schema["required"] = list(required)
        if closed:
            schema["additionalProperties"] = False
        return schema


def choices_of(members: type[enum.Enum], labels: Mapping[str, str] | None = None
               ) -> tuple[tuple[str, str], ...]:
    """(value, label) pairs for an enum's members; a label defaults to the title-cased value."""
    return tuple((m.value, (labels or {}).get(m.value, str(m.value).title())) for m in members)


CREDENTIALS = Spec((
    Field("email", "Email", required=True, max_length=clean.EMAIL_MAX),
    Field("password", "Password", kind="password", required=True, max_length=PASSWORD_MAX,
          help=f"At least {PASSWORD_MIN} characters. A few unusual words work well."),
))

ACCOUNT = Spec((
    Field("name", "Full name", required=True, max_length=column_length(User.name)),
    Field("email", "Email", kind="email", required=True),
))

PROFILE = Spec((
    Field("headline", "Headline", max_length=column_length(Profile.headline),
          help="One line, e.g. 'Backend engineer at a bank'"),
    Field("bio", "About you", kind="textarea"),
    Field("languages", "Languages", kind="languages",
          help="Two-letter codes, comma-separated: en, de"),
    Field("timezone", "Time zone", kind="timezone",
          help="e.g. Europe/Berlin or America/New_York"),
    Field("years_experience", "Years of experience", kind="int", low=0, high=YEARS_MAX),
    Field("industry", "Industry", kind="lowercase", max_length=column_length(Profile.industry),
          help="e.g. fintech, healthcare, software"),
    Field("skills", "Skills", kind="tags", help="Comma-separated; suggestions appear as you type"),
))

PROGRAM = Spec((
    Field("name", "Name", required=True, max_length=column_length(Program.name)),
    Field("description", "Description", kind="textarea"),
    Field("starts_on", "Starts on", kind="date"),
    Field("ends_on", "Ends on", kind="date"),
    Field("status", "Status", kind="choice", enum=ProgramStatus, default=ProgramStatus.DRAFT,
          choices=choices_of(ProgramStatus)),
    # Two places are at most 12 hours apart around the globe: a larger limit limits nothing.
    Field("max_timezone_gap_hours", "Largest time-zone gap (hours)", kind="int", low=0, high=12,
          help="0 to 12 (the farthest two places can be). Leave empty for no limit."),
    Field("max_pending_requests", "Pending requests per mentee", kind="int", required=True,
          low=PENDING_MIN, high=PENDING_MAX, default=3),
    Field("request_expiry_days", "Days a match request stays open", kind="int", required=True,
          low=EXPIRY_MIN, high=EXPIRY_MAX, default=7,
          help="A mentor who has not answered by then: the request expires and the mentee "
               "can ask someone else."),
    Field("at_risk_after_days", "Quiet days before a pair is at risk", kind="int",
          required=True, low=QUIET_MIN, high=QUIET_MAX, default=21,
          help="A pair with no session and no message for this many days is listed as at "
               "risk on the program's dashboard."),
    Field("weights", "Matching weights", kind="weights", keys=CRITERION_LABELS,
          help=f"Relative importance of each criterion, 0 to {WEIGHT_MAX}; what counts is "
               "each weight's share of the total."),
))

MENTEE = Spec((
    Field("goals", "Your goals", kind="textarea",
          help="What do you want to achieve in this program, and why now? "
               "Mentors are matched on this."),
    Field("skills_to_grow", "Skills to grow", kind="tags",
          help="Comma-separated, e.g. people management, public speaking"),
))

MENTOR = Spec((
    Field("about", "What you can help with", kind="textarea",
          help="The situations you have been through and can guide others through."),
    Field("expertise", "Expertise", kind="tags",
          help="Comma-separated, e.g. system design, career change"),
    Field("capacity", f"How many mentees can you take? ({CAPACITY_MIN}–{CAPACITY_MAX})",
          kind="int", required=True, low=CAPACITY_MIN, high=CAPACITY_MAX, default=2),
    Field("availability", "Availability", kind="choice", enum=Availability,
          default=Availability.OPEN, choices=choices_of(Availability)),
))

ROLE_SPECS = {Role.MENTEE: MENTEE, Role.MENTOR: MENTOR}
