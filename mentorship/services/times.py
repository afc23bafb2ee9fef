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
