"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from mentorship.models.base import ID_MAX

MAX_ID = ID_MAX  # a larger id in a URL cannot name a row: 404 without a query


class IdConverter(IntegerConverter):
    """``<int:…>`` limited to ids the database can hold, so 10**20 is a plain 404.

    Without the bound PostgreSQL refuses the lookup itself (integer out of range),
    which would surface as a server error instead of "not found". Only ASCII digits
    without a leading zero match: ``01``, a fullwidth ``１`` or an Arabic-Indic ``١``
    are not another spelling of an id, and each object has one URL.
    """

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        """Default the bounds to 1 and MAX_ID; a route may still set its own."""
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
