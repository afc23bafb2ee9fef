"""Time zones of people: validation, UTC offsets on a program's dates, clock gaps. Standard library only.

The web app validates profiles with this module alone, so it imports neither
numpy nor anything else heavy (a test checks it in a fresh interpreter).

A person's UTC offset depends on the date: Europe/London is UTC+0 in January
and UTC+1 in July, when it shares the clock of Africa/Lagos. The engine reads
every offset at one instant per round, so daylight saving never makes results
drift within a round; :func:`utc_offset_hours` takes that instant (``on``),
by default ``REFERENCE_INSTANT`` (15 January 2025, noon UTC). A program that
runs in summer passes one of its own dates.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["REFERENCE_INSTANT", "UNPLACED_ZONES", "as_instant", "check_zone", "clock_gap", "utc_offset_hours"]

#: Offsets are read at this instant unless a round gives its own date.
REFERENCE_INSTANT = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

#: Zone names that do not place a person: ``localtime`` and ``posixrules`` are the
#: host's own setting (results would depend on the server), ``Factory`` means "not set".
UNPLACED_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def as_instant(on: date | datetime | None) -> datetime:
    """The instant offsets are read at: a date means noon UTC that day, a naive datetime is UTC.

    Raises
    ------
    ValueError
        If ``on`` is neither None, a date nor a datetime.

    Examples
    --------
    >>> as_instant(date(2025, 7, 1)).isoformat()
    '2025-07-01T12:00:00+00:00'
    >>> as_instant(None) == REFERENCE_INSTANT
    True
    """
    if on is None:
        return REFERENCE_INSTANT
    if isinstance(on, datetime):
        return on if on.tzinfo is not None else on.replace(tzinfo=UTC)
    if isinstance(on, date):
        return datetime.combine(on, time(12, 0), tzinfo=UTC)
    raise ValueError(f"a reference date must be a date, a datetime or None, got {on!r}")


def check_zone(name: str) -> str:
    """``name`` if it is an IANA time zone that places a person, else ValueError.

    Examples
    --------
    >>> check_zone("Europe/Paris")
    'Europe/Paris'
    >>> check_zone("localtime")
    Traceback (most recent call last):
    ...
    ValueError: time zone 'localtime' does not say where a person is; use a place like 'Europe/Paris'
    """
    _zone(name)
    return name


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    if isinstance(name, str) and name.rsplit("/", 1)[-1] in UNPLACED_ZONES:  # "posix/Factory" too
        raise ValueError(f"time zone {name!r} does not say where a person is; use a place like 'Europe/Paris'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:  # OSError: "Europe", a directory
        raise ValueError(f"unknown time zone {name!r}") from exc


@functools.lru_cache(maxsize=8192)
def utc_offset_hours(name: str, on: date | datetime | None = None) -> float:
    """UTC offset of an IANA time zone, in hours, at ``on`` (see :func:`as_instant`).

    Raises
    ------
    ValueError
        If the name is not a known time zone or places nobody, or ``on`` is not a date.

    Examples
    --------
    >>> utc_offset_hours("Europe/London"), utc_offset_hours("Europe/London", date(2025, 7, 1))
    (0.0, 1.0)
    >>> utc_offset_hours("Asia/Kolkata")
    5.5
    """
    offset = as_instant(on).astimezone(_zone(name)).utcoffset()
    assert offset is not None  # an aware time always has one
    return offset.total_seconds() / 3600.0


def clock_gap(a: float, b: float) -> float:
    """Hours between two UTC offsets, measured around the globe: 0 to 12 (NaN stays NaN).

    Offsets run from -12 to +14, so two of them can be more than 24 hours
    apart: UTC+14 and UTC-11 are 1 hour apart.

    Examples
    --------
    >>> clock_gap(14.0, -11.0), clock_gap(1.0, -1.0), clock_gap(5.5, 0.0)
    (1.0, 2.0, 5.5)
    """
    gap = abs(a - b) % 24.0
    return gap if not gap > 12.0 else 24.0 - gap
