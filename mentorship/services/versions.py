"""Optimistic locking: a save carries the version it started from; a stale one is refused.

Two open tabs of one form must not silently overwrite each other. The version column
(SQLAlchemy's ``version_id_col``) makes the UPDATE itself conditional, so even two
saves racing past the check below cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mentorship.services.errors import FieldErrors, StaleEdit
from mentorship.services.fields import clean_int

if TYPE_CHECKING:
    from mentorship.services.specs import Spec

VERSION_MESSAGE = "Reload the page: this form is missing its version."


def expected_version(value: object) -> int | None:
    """The version a client says it edited (None: the client does not say)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip().strip('W/').strip('"').removeprefix("v")
    try:
        return clean_int(value, low=1, high=2**31 - 1)
    except ValueError:
        raise FieldErrors({"version": VERSION_MESSAGE}) from None


def apply_changes(session: Session, item: Any, values: Mapping[str, Any], *,
                  version: object, spec: Spec) -> None:
    """Set ``values`` on ``item`` if it is still at ``version``; StaleEdit otherwise."""
    expected = expected_version(version)
    if expected is not None and expected != item.version:
        raise StaleEdit(changed_fields(item, values, spec), item.version)
    for name, value in values.items():
        setattr(item, name, value)
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        session.refresh(item)
        raise StaleEdit(changed_fields(item, values, spec), item.version) from None


def changed_fields(item: Any, values: Mapping[str, Any], spec: Spec
                   ) -> dict[str, tuple[str, str]]:
    """Field -> (label, stored value as shown), for the sent fields whose stored value differs."""
    return {name: (spec[name].label, str(spec[name].show(getattr(item, name))))
            for name, value in values.items() if getattr(item, name) != value}
