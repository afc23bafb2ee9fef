"""Keyboard-only use and a phone-sized screen."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, create, make_program, make_user


def focused(page) -> str:  # noqa: ANN001
    """A short description of the focused element: tag, then its name or text."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return `${el.tagName.toLowerCase()}:${el.name || el.textContent.trim()}`;
    }""")


def test_keyboard_reaches_and_submits_the_sign_in_form(web, live_server) -> None:  # noqa: ANN001
    user = create(live_server.app, lambda s: make_user(s, name="Kai Keys"))
    page = web.page
    page.goto("/login")

    # Without the skip link: the navigation comes first, then the form.
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == ["a:Skip to content", "a:◆ Mentorship", "a:Sign in", "a:Create account",
                     "input:email", "input:password"]

    # With it: the first Tab shows the link, Enter jumps past the navigation.
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    web.shot("skip-link")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Keep me signed in for 14 days")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Keep me signed in for 14 days")).to_be_checked()
    page.keyboard.press("Shift+Tab")
    web.shot("form-by-keyboard")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Hello, Kai Keys")).to_be_visible()


def test_phone_width_has_no_horizontal_scrolling(open_page, live_server) -> None:  # noqa: ANN001
    def build(s):  # noqa: ANN001, ANN202
        return (make_user(s, name="Priya Phone-Admin", is_admin=True),
                make_program(s, name="Mobile-First Product Management Cohort"))

    admin, program = create(live_server.app, build)
    web = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page = web.page

    def check(step: str) -> None:
        web.shot(step)
        assert web.horizontal_overflow() <= 0, f"{step}: the page scrolls sideways"

    page.goto("/")
    expect(page.get_by_role("link", name="Create account")).to_be_visible()
    check("landing")
    page.goto("/register")
    check("register")
    web.sign_in(admin.email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check("dashboard")
    page.goto(f"/programs/{program.id}/enrol")
    page.get_by_label("Mentor: I can guide others").check()
    check("enrol")
    page.goto("/profile/edit")
    check("profile-edit")
    page.goto("/admin/programs/new")
    check("admin-program-form")
    page.goto("/admin/programs")
    check("admin-programs")


def test_console_watch_catches_a_blocked_inline_script(web) -> None:  # noqa: ANN001
    """The policy forbids inline scripts; the browser reports the attempt, and so do we."""
    page = web.page
    page.goto("/login")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as seen:
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "document.title = 'inline ran'";
            document.body.append(script);
        }""")
    assert seen.value.type == "error"
    expect(page).to_have_title("Sign in · Mentorship")  # the script did not run
    assert any("Content Security Policy" in p for p in web.problems.items), web.problems.items
    web.problems.items.clear()  # expected here; any other problem still fails the test
