"""A tiny HTTP client on ``http.client``: cookies, the sign-in form, and API tokens.

No User-Agent is sent, as wrk sends none: a session bound to a browser
fingerprint must match between the sign-in and the measured requests.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_cookies(self) -> list[str]:
        return [value for key, value in self.headers if key.lower() == "set-cookie"]


def request(base_url: str, method: str, path: str, *, headers: dict[str, str] | None = None,
            body: bytes | None = None, timeout: float = DEFAULT_TIMEOUT,
            source: str | None = None) -> Response:
    """One request on a new connection (gunicorn's sync workers close it after each answer).

    ``source`` binds the client side to another loopback address (any of 127.0.0.0/8),
    so clients can look like different machines to per-address limits.
    """
    parts = urlsplit(base_url)
    if parts.hostname is None:
        raise ValueError(f"no host in {base_url!r}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return Response(answer.status, answer.getheaders(), answer.read())
    finally:
        conn.close()


def merge_cookies(jar: dict[str, str], set_cookie_headers: list[str]) -> dict[str, str]:
    """Apply ``Set-Cookie`` headers to ``jar`` (name -> value); an expired cookie is dropped."""
    jar = dict(jar)
    for header in set_cookie_headers:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or morsel.value == "":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    """The ``Cookie`` request header for ``jar``, in a stable order."""
    return "; ".join(f"{name}={value}" for name, value in sorted(jar.items()))


def cookies_from_jar_file(text: str) -> dict[str, str]:
    """Cookies from a curl (Netscape) cookie jar.

    curl writes HttpOnly cookies as lines starting ``#HttpOnly_``, which would
    otherwise be read as comments and lost.
    """
    jar = {}
    for line in text.splitlines():
        if line.startswith("#HttpOnly_"):
            line = line[len("#HttpOnly_"):]
        elif not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 7:
            jar[fields[5]] = fields[6]
    return jar


class _HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            found = dict(attrs)
            if found.get("name") and found.get("type") == "hidden":
                self.values.setdefault(found["name"] or "", found.get("value") or "")


def form_csrf_token(html: str) -> str:
    """The value of the first hidden ``csrf_token`` field of a page."""
    parser = _HiddenFields()
    parser.feed(html)
    token = parser.values.get("csrf_token")
    if not token:
        raise ValueError("the page has no csrf_token field")
    return token


class SignInError(RuntimeError):
    pass


def sign_in(base_url: str, email: str, password: str, *, source: str | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> tuple[str, Response]:
    """Sign in through the HTML form; the ``Cookie`` header of the signed-in session.

    Also returns the POST's response, so callers can count its status.
    """
    page = request(base_url, "GET", "/login", timeout=timeout, source=source)
    if page.status != 200:
        raise SignInError(f"GET /login answered {page.status}")
    jar = merge_cookies({}, page.set_cookies())
    form = urlencode({"csrf_token": form_csrf_token(page.body.decode("utf-8", "replace")),
                      "email": email, "password": password}).encode()
    answer = request(base_url, "POST", "/login", body=form, timeout=timeout, source=source,
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Cookie": cookie_header(jar)})
    if answer.status != 302:
        raise SignInError(f"POST /login as {email} answered {answer.status}")
    return cookie_header(merge_cookies(jar, answer.set_cookies())), answer


def api_token(base_url: str, email: str, password: str, *, source: str | None = None) -> str:
    """A personal API token from ``POST /api/v1/tokens``."""
    answer = request(base_url, "POST", "/api/v1/tokens", source=source,
                     body=json.dumps({"email": email, "password": password}).encode(),
                     headers={"Content-Type": "application/json"})
    if answer.status != 201:
        raise SignInError(f"POST /api/v1/tokens as {email} answered {answer.status}")
    return json.loads(answer.body)["token"]
