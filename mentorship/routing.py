"""URL converters shared by every blueprint, the app's URL rule class, and the
templates' ``url_for``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter, Map, Rule

from mentorship.models.base import ID_MAX

MAX_ID = ID_MAX  # a larger id in a URL cannot name a row: 404 without a query
REMEMBERED_URLS = 4096  # per process; forgotten all at once when full


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


def init_app(app: Flask) -> None:
    """Give templates the remembering ``url_for``."""
    app.extensions["built_urls"] = {}
    app.jinja_env.globals["url_for"] = remembered_url_for


def remembered_url_for(endpoint: str, /, **values: Any) -> str:
    """Flask's ``url_for``, remembering each URL built from plain ids and names.

    Building one costs about 10 µs and a page builds dozens (an admin's program table
    eight per program), always the same ones. The URL of an endpoint and its values
    cannot change while the app runs; anything else (a blueprint-relative endpoint, an
    option such as ``_external``, a value that is not a plain number or text) is built
    each time.
    """
    plain = all(type(value) in (int, str) and not name.startswith("_")
                for name, value in values.items())
    if not plain or endpoint.startswith(".") or not has_request_context():
        return url_for(endpoint, **values)
    built: dict[tuple[Any, ...], str] = current_app.extensions["built_urls"]
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = built.get(key)
    if url is None:
        if len(built) >= REMEMBERED_URLS:
            built.clear()
        url = built[key] = url_for(endpoint, **values)
    return url
