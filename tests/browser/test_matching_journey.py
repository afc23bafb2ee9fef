"""A mentee finds a mentor and asks; the mentor accepts one request and declines another."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from mentorship.services.matches import warm_engine
from tests.browser.conftest import PHONE
from tests.factories import create, make_program
from tests.flows import mentee, mentor, pending, person

ADA, GRACE, BOB = "ada@example.test", "grace@example.test", "bob@example.test"


def build(session: Any) -> dict[str, Any]:
    program = make_program(session, name="Spring Cohort", max_pending_requests=3)
    grace = mentor(session, program, "Grace Hopper",
                   user=person(session, "Grace Hopper", email=GRACE, languages=("en", "de"),
                               headline="Principal engineer, compilers and teams"),
                   expertise=("python", "system design", "leadership"))
    grace.about = "I help engineers become tech leads."
    mentor(session, program, "Linus Berg", expertise=("kernel", "python"),
           languages=("en", "fi"), timezone="Europe/Helsinki", headline="Kernel hacker")
    mentor(session, program, "Yuki Sato", expertise=("data engineering",),
           timezone="Asia/Tokyo", headline="Data platform lead")
    mentee(session, program, "Ada Lovelace",
           user=person(session, "Ada Lovelace", email=ADA, headline="Analyst"))
    bob = mentee(session, program, "Bob Marley", user=person(session, "Bob Marley", email=BOB))
    pending(session, bob, grace, message="Could you help me lead my first project?")
    return {"program": program.name}


def test_find_request_accept_decline_and_both_see_the_mentorship(
        open_page, live_server) -> None:  # noqa: ANN001
    cohort = create(live_server.app, build)
    warm_engine().join()  # as a serving worker does on start; the first page needs no imports
    ada = open_page()
    page = ada.page
    ada.sign_in(ADA)

    # The mentee finds mentors from the dashboard, narrows them, and asks one.
    page.get_by_role("link", name=f"Find a mentor in {cohort['program']}").click()
    expect(page.get_by_role("heading", name="Find a mentor")).to_be_visible()
    cards = page.locator("li.suggestion")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("%")
    expect(page.get_by_text("Why this match").first).to_be_visible()
    ada.shot("suggestions")
    page.get_by_label("Expertise").select_option("leadership")
    page.get_by_role("button", name="Apply filters").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Grace Hopper")
    expect(cards.first).to_contain_text("Principal engineer, compilers and teams")
    ada.shot("filtered")
    page.get_by_role("link", name="Request Grace Hopper").click()
    expect(page.get_by_role("heading", name="Ask Grace Hopper to mentor you")).to_be_visible()
    page.get_by_label("Message to the mentor").fill("I would love help growing into a tech lead.")
    ada.shot("request-form")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_have_text("Your request is on its way to Grace Hopper.")
    sent = page.locator("li.request")
    expect(sent).to_contain_text("Grace Hopper")
    expect(sent).to_contain_text("Pending")
    ada.shot("my-requests")

    # The same page on a phone: requested mentors are listed apart, nothing overflows.
    phone = open_page(viewport=PHONE)
    phone.sign_in(ADA)
    phone.page.goto(page.url.replace("/requests/", "/"))
    phone.page.get_by_role("link", name=f"Find a mentor in {cohort['program']}").click()
    expect(phone.page.get_by_role("heading", name="Requested")).to_be_visible()
    expect(phone.page.locator("li.suggestion")).to_have_count(2)  # Grace is asked already
    assert phone.horizontal_overflow() == 0
    phone.shot("suggestions-phone")

    # The mentor accepts Ada and declines Bob with a reason.
    grace = open_page()
    gpage = grace.page
    grace.sign_in(GRACE)
    gpage.get_by_role("link", name=re.compile(r"2 requests waiting for you")).click()
    expect(gpage.get_by_role("heading", name="Requests to you")).to_be_visible()
    expect(gpage.get_by_text("Grow into a python tech lead").first).to_be_visible()
    grace.shot("incoming")
    gpage.get_by_role("button", name="Accept Ada Lovelace").click()
    expect(gpage.get_by_role("status")).to_have_text("You are now mentoring Ada Lovelace.")
    expect(gpage.get_by_role("heading", name="Mentorship with Ada Lovelace")).to_be_visible()
    grace.shot("pairing")
    gpage.get_by_role("link", name="Requests", exact=True).click()
    gpage.get_by_role("link", name="Decline Bob Marley").click()
    gpage.get_by_label("Reason").select_option(label="Our schedules do not fit")
    gpage.get_by_label("Note to the mentee").fill("My evenings are full until June.")
    grace.shot("decline-form")
    gpage.get_by_role("button", name="Decline request").click()
    expect(gpage.get_by_role("status")).to_have_text("You declined Bob Marley's request.")
    expect(gpage.locator("li.request", has_text="Bob Marley")).to_contain_text("Declined")
    grace.shot("answered")
    gpage.get_by_role("link", name="Mentorships").click()
    expect(gpage.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    grace.shot("mentorships-mentor")

    # The mentee sees the mentorship too.
    page.get_by_role("link", name="Mentorships").click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_text("I help engineers become tech leads.")).to_be_visible()
    expect(page.get_by_role("button", name="End mentorship")).to_be_visible()
    ada.shot("mentorship-mentee")

    # Bob reads why.
    bob = open_page()
    bob.sign_in(BOB)
    bob.page.get_by_role("link", name="Requests", exact=True).click()
    expect(bob.page.locator("li.request")).to_contain_text("Our schedules do not fit")
    expect(bob.page.locator("li.request")).to_contain_text("My evenings are full until June.")
    bob.shot("declined")
