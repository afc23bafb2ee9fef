"""The request body limit (MAX_CONTENT_LENGTH), enforced alike for every way a body is sent.

werkzeug refuses a ``Content-Length`` over the limit, but a chunked body has no length
up front: it is read through a stream capped at the limit, and the read simply stops
there, so the view gets the first MAX_CONTENT_LENGTH bytes as if they were the whole
body. Here a chunked body is read before the app sees it, up to one byte past the
limit: a body that fits is handed on with its real length, one that does not is
handed on as an empty body declaring a length over the limit, which every reader
and the check below answer with 413, as for a ``Content-Length`` that is too large.

A few endpoints take larger bodies (a participants file): ``LARGER_LIMITS`` names each
with the setting that holds its limit, used instead of MAX_CONTENT_LENGTH there alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import get_content_length

CHUNK = 64 * 1024
# endpoint -> the setting with its own body limit, and that setting's default
LARGER_LIMITS = {"program_data.upload": ("IMPORT_MAX_BYTES", 20 * 1024 * 1024),
                 "api.import_participants": ("IMPORT_MAX_BYTES", 20 * 1024 * 1024)}

TOO_LARGE = "The request is too large."


def init_app(app: Flask) -> None:
    """Install the middleware that buffers chunked bodies, and the 413 check."""
    for setting, default in LARGER_LIMITS.values():
        app.config.setdefault(setting, default)
    app.wsgi_app = BodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request(refuse_oversized_body)


def refuse_oversized_body() -> None:
    """413 as soon as the body is known to be over the limit, even if the view never reads it."""
    if request.endpoint in LARGER_LIMITS:
        request.max_content_length = current_app.config[LARGER_LIMITS[request.endpoint][0]]
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        abort(413, description=TOO_LARGE)


class BodyLimit:
    """WSGI middleware: buffer a body sent without ``Content-Length`` (chunked) up to the limit."""

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        """Wrap ``wsgi_app``; the limit is read from ``app``'s config on each request."""
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Buffer a chunked body up to the limit, then hand the request on."""
        # Without wsgi.input_terminated the server does not mark where such a body ends,
        # and werkzeug reads none of it: nothing to do.
        if get_content_length(environ) is None and environ.get("wsgi.input_terminated"):
            limit = limit_for(self.app, environ)
            if limit is not None:
                buffer_body(environ, int(limit))
        return self.wsgi_app(environ, start_response)


def limit_for(app: Flask, environ: dict[str, Any]) -> int | None:
    """The body limit of the endpoint the request is routed to (before routing happens)."""
    limit = app.config.get("MAX_CONTENT_LENGTH")
    try:
        endpoint, _ = app.url_map.bind_to_environ(environ).match()
    except HTTPException:
        return limit
    if endpoint in LARGER_LIMITS:
        return int(app.config[LARGER_LIMITS[str(endpoint)][0]])
    return limit


def buffer_body(environ: dict[str, Any], limit: int) -> None:
    """Replace the streamed body by one with a known length (over ``limit`` if it is too big)."""
    stream = environ["wsgi.input"]
    body = read_up_to(stream, limit + 1)  # the rest of a refused body is never read
    environ["wsgi.input"] = io.BytesIO(body if len(body) <= limit else b"")
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def read_up_to(stream: Any, size: int) -> bytes:
    """At most ``size`` bytes from ``stream``, fewer where it ends."""
    data = bytearray()
    while len(data) < size:
        piece = stream.read(min(CHUNK, size - len(data)))
        if not piece:
            break
        data += piece
    return bytes(data)

