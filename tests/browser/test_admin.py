"""Program admins manage programs through the admin pages; nobody else gets in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import create, make_user


def test_admin_creates_and_edits_a_program(web, live_server) -> None:  # noqa: ANN001
    admin = create(live_server.app, lambda s: make_user(s, name="Ada Admin", is_admin=True))
    page = web.page
    web.sign_in(admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Manage programs")).to_be_visible()
    expect(page.get_by_text("No programs yet.")).to_be_visible()
    web.shot("empty-list")

    page.get_by_role("link", name="New program").click()
    expect(page.get_by_role("heading", name="New program")).to_be_visible()
    page.get_by_label("Name").fill("Autumn Leadership Cohort")
    page.get_by_label("Description").fill("Six months for first-time leads.")
    page.get_by_label("Starts on").fill("2027-09-01")
    page.get_by_label("Ends on").fill("2028-02-28")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_label("Goals and expertise", exact=True).fill("6")
    web.shot("new-filled")
    page.get_by_role("button", name="Save program").click()

    expect(page).to_have_url(re.compile(r"/admin/programs$"))
    expect(page.get_by_role("status")).to_have_text("Program “Autumn Leadership Cohort” saved.")
    row = page.get_by_role("row").filter(has_text="Autumn Leadership Cohort")
    expect(row.get_by_role("cell")).to_have_text(
        ["Autumn Leadership Cohort", "Open", "1 Sep 2027 – 28 Feb 2028", "0", "0", re.compile("Edit")])
    web.shot("list-created")

    row.get_by_role("link", name="Edit Autumn Leadership Cohort").click()
    expect(page.get_by_role("heading", name="Edit Autumn Leadership Cohort")).to_be_visible()
    expect(page.get_by_label("Goals and expertise", exact=True)).to_have_value("6")
    expect(page.get_by_label("Status")).to_have_value("open")
    page.get_by_label("Name").fill("Autumn Leadership Cohort 2027")
    page.get_by_label("Status").select_option(label="Running")
    page.get_by_label("Shared language", exact=True).fill("2.5")
    page.get_by_role("button", name="Save program").click()

    expect(page.get_by_role("status")).to_have_text(
        "Program “Autumn Leadership Cohort 2027” saved.")
    row = page.get_by_role("row").filter(has_text="Autumn Leadership Cohort 2027")
    expect(row).to_contain_text("Running")
    expect(page.get_by_role("row")).to_have_count(2)  # header + the one program
    web.shot("list-edited")

    row.get_by_role("link", name="Edit Autumn Leadership Cohort 2027").click()
    expect(page.get_by_label("Shared language", exact=True)).to_have_value("2.5")
    expect(page.get_by_label("Goals and expertise", exact=True)).to_have_value("6")


def test_non_admin_gets_403_on_admin_pages(web, live_server) -> None:  # noqa: ANN001
    member = create(live_server.app, lambda s: make_user(s, name="Max Member"))
    page = web.page
    web.sign_in(member.email)
    expect(page.get_by_role("heading", name="Hello, Max Member")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)

    response = page.goto("/admin/programs")
    assert response is not None and response.status == 403
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("You do not have access to this page.")).to_be_visible()
    web.shot("forbidden")
    response = page.goto("/admin/programs/new")
    assert response is not None and response.status == 403
