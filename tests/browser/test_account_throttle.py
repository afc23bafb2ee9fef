"""Guessing the current password on the account pages stops after five tries, with the reason at the field."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD, create, make_user

NEW_PASSWORD = "lantern harbour violet 77"


def _change_password(page, current: str) -> int:  # noqa: ANN001
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    with page.expect_response(re.compile(r"/account/password$")) as answer:
        page.get_by_role("button", name="Change password").click()
    return answer.value.status


def test_sixth_wrong_current_password_is_refused_at_the_field(web, live_server) -> None:  # noqa: ANN001
    user = create(live_server.app, lambda s: make_user(s, name="Gus Guesser"))
    page = web.page
    web.sign_in(user.email)
    page.goto("/account/password")
    for attempt in range(5):
        assert _change_password(page, f"wrong guess number {attempt}") == 422
        expect(page.get_by_label("Current password")).to_have_accessible_description(
            "That is not your current password.")

    # Even the right password is not checked now: the page says why, at the field.
    assert _change_password(page, PASSWORD) == 429
    current = page.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_have_accessible_description(
        "Too many tries of your current password. Try again in a few minutes.")
    expect(page.get_by_label("New password")).to_have_value("")
    web.shot("password-throttled")

    # Nothing changed: the old password still signs in, the new one does not.
    web.sign_out()
    web.sign_in(user.email, NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_have_text("Email or password is not right.")
    web.sign_in(user.email, PASSWORD)
    expect(page.get_by_role("link", name="Account")).to_be_visible()
