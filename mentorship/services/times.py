"""Times as people read them: stored naive UTC shown in the viewer's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zone(value: datetime, zone: str | None) -> datetime:
    """``value`` (naive UTC, as stored) as an aware time in ``zone`` (UTC if unknown)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:
        return aware.astimezone(ZoneInfo(zone)) if zone else aware
    except (ZoneInfoNotFoundError, ValueError):
        return aware


def long_date(value: date) -> str:
    """'7 Dec 2026': unambiguous in every locale, unlike 12/07/2026."""
    return f"{value.day} {value:%b %Y}"


def zone_of(user: object) -> str | None:
    """The IANA zone of ``user``'s profile (None: unknown, read as UTC)."""
    profile = getattr(user, "profile", None)
    return profile.timezone if profile else None


def local_today(user: object) -> date:
    """Today's date where ``user`` is: what "due" and "overdue" mean to them."""
    return in_zone(datetime.now(UTC), zone_of(user)).date()


def from_zone(local: datetime, zone: str | None) -> datetime:
    """A wall-clock time entered in ``zone`` as naive UTC, for storing.

    A time skipped or repeated by a clock change resolves as ``zoneinfo`` does (fold 0).
    """
    try:
        tz = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    return local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
