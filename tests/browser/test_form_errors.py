"""Bad input: the message appears at its field, wired to it for screen readers."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import create, make_program, make_user


def test_registration_errors_are_shown_at_the_fields(web) -> None:  # noqa: ANN001
    page = web.page
    page.goto("/register")
    page.get_by_label("Full name").fill("Sam Short")
    page.get_by_label("Email").fill("sam-at-example")
    page.get_by_label("Password").fill("short")
    with page.expect_response(re.compile(r"/register$")) as answer:
        page.get_by_role("button", name="Create account").click()
    assert answer.value.status == 422

    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    email = page.get_by_label("Email")
    password = page.get_by_label("Password")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Full name")).not_to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        "Enter a valid email address, like name@example.org.")
    expect(password).to_have_accessible_description(
        re.compile(r"At least 12 characters.*Use at least 12 characters\.$"))
    # Each message sits in the field's own block, right under its input.
    expect(page.locator(".field", has=email).locator(".error")).to_have_text(
        "Enter a valid email address, like name@example.org.")
    expect(page.locator(".field", has=password).locator(".error")).to_have_text(
        "Use at least 12 characters.")
    expect(email).to_have_value("sam-at-example")  # what was typed is kept
    expect(password).to_have_value("")  # a password is never sent back
    web.shot("register-errors")

    # Nothing was created: signing in with that email fails.
    page.get_by_role("link", name="Sign in").last.click()
    web.sign_in("sam-at-example", "short")
    expect(page.get_by_role("alert")).to_have_text("Email or password is not right.")


def test_mentor_capacity_over_ten_is_refused_at_the_field(web, live_server) -> None:  # noqa: ANN001
    def build(s):  # noqa: ANN001, ANN202
        return make_user(s, name="Mo Mentor"), make_program(s, name="Winter Cohort")

    user, program = create(live_server.app, build)
    page = web.page
    web.sign_in(user.email)
    page.goto(f"/programs/{program.id}/enrol")
    page.get_by_label("Mentor: I can guide others").check()
    expect(page.get_by_label("Your goals")).to_be_hidden()
    page.get_by_label("What you can help with").fill("Career moves into platform teams.")
    page.get_by_label("Expertise").fill("kubernetes, leadership")
    capacity = page.get_by_label("How many mentees can you take? (1–10)")
    capacity.fill("11")
    with page.expect_response(re.compile(r"/enrol$")) as answer:
        page.get_by_role("button", name="Enrol").click()
    assert answer.value.status == 422

    capacity = page.get_by_label("How many mentees can you take? (1–10)")
    expect(capacity).to_have_attribute("aria-invalid", "true")
    expect(capacity).to_have_accessible_description("Must be between 1 and 10.")
    expect(capacity).to_have_value("11")
    expect(page.get_by_label("Mentor: I can guide others")).to_be_checked()
    expect(page.get_by_label("Expertise")).to_have_value("kubernetes, leadership")
    web.shot("capacity-error")

    page.goto(f"/programs/{program.id}")
    expect(page.get_by_text("You are not enrolled in this program.")).to_be_visible()
