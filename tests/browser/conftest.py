"""Browser fixtures: a live server on a real database, headless Chromium, one page per test.

The app runs with CSRF protection on, exactly as in production, in a thread of the test
process, so the test and the server share the database the factories write to.

Chromium comes from the operating system (Debian's ``chromium`` package); Playwright's
own browser download is never used. Without Chromium the browser tests are skipped,
unless ``MENTORSHIP_REQUIRE_BROWSER=1`` (set in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import PASSWORD
from tests.helpers import app_on

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("MENTORSHIP_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Chromium logs every 4xx/5xx answer as a console error; responses are checked on their own.
FAILED_RESOURCE = re.compile(r"^Failed to load resource: the server responded with a status of")


def _unavailable(reason: str) -> None:
    message = (f"Browser tests need Chromium: {reason}. Install it with "
               "`apt-get install -y --no-install-recommends chromium` "
               "(or point CHROMIUM at a Chromium binary).")
    if REQUIRE_BROWSER:
        pytest.fail(message + " MENTORSHIP_REQUIRE_BROWSER=1 makes this an error.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test process (each xdist worker gets its own)."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} does not exist")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                  args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no usable browser"
            _unavailable(f"{CHROMIUM} did not start ({exc})")
        yield chromium
        chromium.close()


@pytest.fixture
def browser_app(file_database_url: str) -> Iterator[Flask]:
    yield from app_on(file_database_url, CSRF_ENABLED=True)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(browser_app: Flask) -> Iterator[LiveServer]:
    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", browser_app)
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class Problems:
    """What a user or a developer console would flag while the page was in use."""

    items: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a load because the page moved on
        # (a form submitted while the icon was still loading), not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.items.append(f"request failed: {request.method} {request.url} "
                              f"({request.failure})")

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning") and not FAILED_RESOURCE.match(message.text):
            self.items.append(f"console {message.type}: {message.text}")

    def _response(self, response: Any) -> None:
        # A page may answer 4xx on purpose (a form error is 422, a forbidden page 403);
        # a stylesheet, script or icon never should, and nothing may ever answer 5xx.
        is_document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not is_document):
            self.items.append(f"HTTP {response.status} for {response.request.method} "
                              f"{response.url}")

    def assert_none(self) -> None:
        assert not self.items, "problems in the browser:\n" + "\n".join(self.items)


class Browsing:
    """A page plus the helpers every journey needs."""

    def __init__(self, page: Any, problems: Problems, server: LiveServer, name: str) -> None:
        self.page, self.problems, self.server, self.name = page, problems, server, name
        self.step = 0

    def shot(self, step: str) -> Path:
        """A full-page screenshot named after the journey step; also checks for problems."""
        self.step += 1
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.problems.assert_none()
        return path

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the form, as a person would."""
        page = self.page
        if "/login" not in page.url:
            page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the document is wider than the screen (0 is right).

        Measured against the configured width too: a phone browser widens its layout
        viewport (``innerWidth``) to fit overflowing content, which would hide the problem.
        """
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]")
        screen = self.page.viewport_size["width"]
        return max(widths[0] - widths[1], widths[0] - screen, widths[1] - screen)


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer,
              request: pytest.FixtureRequest) -> Iterator[Callable[..., Browsing]]:
    """``open_page(viewport=...)``: a fresh browser context (no cookies) and page."""
    contexts: list[tuple[Any, Problems]] = []
    test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    test_name = test_name.removeprefix("test-")

    def opener(viewport: dict[str, int] = DESKTOP, **options: Any) -> Browsing:
        context = browser.new_context(base_url=live_server.url, viewport=viewport,
                                      locale="en-GB", timezone_id="Europe/Berlin", **options)
        context.set_default_timeout(5_000)
        problems = Problems()
        page = context.new_page()
        problems.watch(page)
        contexts.append((context, problems))
        suffix = "" if len(contexts) == 1 else f"-{len(contexts)}"
        return Browsing(page, problems, live_server, test_name + suffix)

    yield opener
    for context, _problems in contexts:
        context.close()
    for _, problems in contexts:
        problems.assert_none()


@pytest.fixture
def web(open_page: Callable[..., Browsing]) -> Browsing:
    """A desktop-sized page (1280×800)."""
    return open_page()
