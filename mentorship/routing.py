"""URL converters shared by every blueprint, and the app's URL rule class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import IntegerConverter, Map, Rule

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


class LazyRule(Rule):
    """A URL rule whose URL builders are made when ``url_for`` first needs them.

    For each rule werkzeug writes two small Python functions that build its URLs and
    compiles them when the rule is added: for the app's 160 rules that is most of the
    time ``create_app`` takes, while a process (a CLI command, a worker) builds URLs
    for only some of them. Matching requests does not use these functions, and the
    functions made are werkzeug's own: only the moment they are made changes.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        """A stand-in that makes the real builder on its first call and takes its place."""
        name = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: LazyRule, **values: Any) -> tuple[str, str]:
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, builder)
            return builder(**values)

        return build_on_first_use
