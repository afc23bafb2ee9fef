"""The pair's workspace in a browser, one journey per element of a career conversation:
the agreement, the thread, a session prepared, held and logged, goals, feedback, the
calendar file, and the check-in reminder. Screenshots land in ``artifacts/browser``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar
from playwright.sync_api import expect

from mentorship.db import get_session
from mentorship.models import Meeting, Pairing, utcnow
from mentorship.services import agreements, meetings
from tests.browser.conftest import PHONE
from tests.factories import create, make_program
from tests.flows import mentee, mentor, paired, person

ADA, GRACE = "ada.ws@example.test", "grace.ws@example.test"


def build(session: Any, *, agreed: bool = False, held: bool = False) -> dict[str, Any]:
    program = make_program(session, name="Harbour Cohort")
    grace = mentor(session, program, "Grace Hopper",
                   user=person(session, "Grace Hopper", email=GRACE, timezone="Europe/Berlin"))
    ada = mentee(session, program, "Ada Lovelace",
                 user=person(session, "Ada Lovelace", email=ADA, timezone="Europe/London"))
    ada.goals = "Lead my first project without dropping the technical work."
    pairing = paired(session, ada, grace)
    if agreed:
        agreements.propose(session, pairing, ada.user, {
            "cadence": "fortnightly", "session_minutes": "45", "mentee_wants": "A first lead role",
            "contact": "This thread", "confidentiality": agreements.CONFIDENTIALITY}, based_on=0)
        agreements.accept(session, pairing, grace.user, 1)
    found: dict[str, Any] = {"pairing": pairing.id}
    if held:
        meeting = meetings.schedule(session, pairing, grace.user, {
            "starts_at": (utcnow() + timedelta(days=1)).isoformat(timespec="minutes") + "+00:00",
            "duration_minutes": "45", "agenda": "Since last time"})
        meeting.starts_at = utcnow().replace(microsecond=0) - timedelta(days=2)
        found["meeting"] = meeting.id
    return found


def workspace(web: Any, pairing_id: int, section: str = "") -> None:
    web.page.goto(f"/pairings/{pairing_id}{section}")
    expect(web.page.get_by_role("heading", level=1)).to_contain_text("Mentorship with")


def test_mentee_and_mentor_accept_an_agreement(open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, build)
    ada = open_page()
    ada.sign_in(ADA)
    workspace(ada, ids["pairing"])
    expect(ada.page.get_by_text("First step: agree on how you work together")).to_be_visible()
    ada.shot("first-step")
    ada.page.get_by_role("link", name="Draft the agreement").click()
    ada.page.get_by_label("How often you meet").select_option("weekly")
    ada.page.get_by_label("Session length (minutes)").fill("45")
    ada.page.get_by_label("What the mentee wants from it").fill("Lead my first project.")
    ada.page.get_by_label("How to reach each other").fill("The thread; video for sessions")
    ada.page.get_by_role("button", name="Propose the agreement").click()
    expect(ada.page.get_by_text("Waiting for Grace Hopper")).to_be_visible()
    ada.shot("proposed")

    grace = open_page()
    grace.sign_in(GRACE)
    workspace(grace, ids["pairing"])
    grace.page.get_by_role("link", name="Read and accept the agreement").click()
    expect(grace.page.get_by_role("definition").filter(has_text="Lead my first project.")).to_be_visible()
    grace.page.get_by_role("button", name="Accept version 1").click()
    expect(grace.page.get_by_text("Accepted by both of you")).to_be_visible()
    grace.shot("accepted")
    workspace(ada, ids["pairing"])
    expect(ada.page.get_by_text("First step")).to_have_count(0)
    expect(ada.page.get_by_text("What you agreed")).to_be_visible()


def test_messages_are_exchanged_and_markup_stays_inert(open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, lambda s: build(s, agreed=True))
    ada = open_page()
    ada.sign_in(ADA)
    workspace(ada, ids["pairing"], "/thread")
    expect(ada.page.get_by_text("Lead my first project without dropping")).to_be_visible()
    ada.page.get_by_role("textbox", name="Message").fill(
        "Hello Grace! **Question**: how do I say no?\n\n<script>window.pwned=1</script>"
        "<img src=x onerror=\"window.pwned=2\"> [link](javascript:window.pwned=3)")
    ada.page.get_by_role("button", name="Send").click()
    message = ada.page.locator("li.message").last
    expect(message.locator(".message-body strong")).to_have_text("Question")
    assert ada.page.evaluate("() => window.pwned") is None
    assert ada.page.locator("li.message img, li.message script").count() == 0
    ada.shot("sent")

    grace = open_page(viewport=PHONE)
    grace.sign_in(GRACE)
    grace.page.goto("/")
    expect(grace.page.get_by_text("1 unread message")).to_be_visible()
    grace.page.get_by_text("1 unread message").click()
    expect(grace.page.locator(".thread-new")).to_be_visible()
    grace.page.get_by_role("textbox", name="Message").fill("Say no with a reason, and offer a later date.")
    grace.page.get_by_role("button", name="Send").click()
    expect(grace.page.locator("li.message").last).to_contain_text("offer a later date")
    assert grace.page.evaluate("() => window.pwned") is None
    assert grace.horizontal_overflow() == 0
    grace.shot("reply-on-phone")


def test_a_session_is_scheduled_with_prep_notes_and_its_calendar_file(
        open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, lambda s: build(s, agreed=True))
    grace = open_page()
    grace.sign_in(GRACE)
    workspace(grace, ids["pairing"], "/sessions")
    day = (date.today() + timedelta(days=3)).isoformat()
    grace.page.get_by_label("Date").fill(day)
    grace.page.get_by_label("Start time").fill("16:30")
    grace.page.get_by_label("Where").fill("Video call")
    expect(grace.page.get_by_label("Agenda")).to_contain_text("Preparation")  # first-session template
    grace.page.get_by_role("button", name="Schedule the session").click()
    expect(grace.page.get_by_text("Session scheduled.")).to_be_visible()
    expect(grace.page.get_by_role("heading", name="Session of")).to_contain_text("16:30")
    grace.shot("scheduled")

    ada = open_page()
    ada.sign_in(ADA)
    workspace(ada, ids["pairing"], "/sessions")
    ada.page.locator("section[aria-labelledby=sessions-upcoming] a").first.click()
    # Grace planned 16:30 in Berlin; Ada reads it in London.
    expect(ada.page.get_by_role("heading", name="Session of")).to_contain_text("15:30")
    ada.page.get_by_label("Wins since last time").fill("Shipped the migration.")
    ada.page.get_by_label("Where I want help").fill("Saying no to scope creep.")
    ada.page.get_by_role("button", name="Save my prep note").click()
    expect(ada.page.get_by_role("definition").filter(has_text="Saying no to scope creep.")).to_be_visible()
    ada.shot("prep-note")
    with ada.page.expect_download() as download:
        ada.page.get_by_role("link", name="Add to calendar (.ics)").click()
    event = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Mentoring session with Grace Hopper"
    assert event.decoded("DTSTART").hour == 15 and event.decoded("DTSTART").utcoffset() == timedelta(0)


def test_a_session_is_logged_and_the_check_in_is_reminded(open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, lambda s: build(s, agreed=True, held=True))
    grace = open_page()
    grace.sign_in(GRACE)
    grace.page.goto(f"/pairings/{ids['pairing']}/sessions/{ids['meeting']}")
    grace.page.get_by_label("What we discussed").fill("The decisions Ada escalates.")
    grace.page.get_by_label("Guidance given").fill("Decide anything reversible.")
    grace.page.get_by_label("Next steps").fill("Write a decision log\nMentor: send a template")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    grace.page.get_by_label("Next check-in").fill(tomorrow)
    grace.page.get_by_role("button", name="Log the session").click()
    expect(grace.page.get_by_role("definition").filter(has_text="Decide anything reversible.")).to_be_visible()
    grace.shot("logged")

    runner = live_server.app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    ada = open_page()
    ada.sign_in(ADA)
    workspace(ada, ids["pairing"])
    expect(ada.page.get_by_text("Write a decision log")).to_be_visible()  # up next
    ada.page.goto("/notifications/")
    expect(ada.page.get_by_text("your check-in with Grace Hopper is due")).to_be_visible()
    ada.shot("reminder")


def test_a_goal_gets_action_items(open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, lambda s: build(s, agreed=True))
    ada = open_page()
    ada.sign_in(ADA)
    workspace(ada, ids["pairing"], "/goals")
    ada.page.get_by_label("Goal", exact=True).fill("Lead the payments project")
    ada.page.get_by_label("How success is measured").fill("Released on time")
    ada.page.get_by_label("Target date").fill((date.today() + timedelta(days=60)).isoformat())
    ada.page.get_by_role("button", name="Add the goal").click()
    expect(ada.page.get_by_role("heading", name="Lead the payments project").first).to_be_visible()
    ada.page.get_by_role("textbox", name="Action item").fill("Write the decision record")
    ada.page.get_by_label("Due").fill((date.today() + timedelta(days=7)).isoformat())
    ada.page.get_by_role("button", name="Add the action item").click()
    expect(ada.page.get_by_text("Write the decision record").first).to_be_visible()
    ada.shot("goal")
    grace = open_page()
    grace.sign_in(GRACE)
    workspace(grace, ids["pairing"], "/goals")
    expect(grace.page.get_by_text("Lead the payments project")).to_be_visible()
    grace.shot("partner-sees-goal")


def test_both_give_feedback_after_a_session(open_page, live_server) -> None:  # noqa: ANN001
    ids = create(live_server.app, lambda s: build(s, agreed=True, held=True))

    def complete(session: Any) -> None:
        pairing = session.get(Pairing, ids["pairing"])
        meeting = session.get(Meeting, ids["meeting"])
        meetings.log(session, pairing, meeting, pairing.mentor.user,
                     {"outcome": "completed", "discussed": "Scope"})
    create(live_server.app, complete)
    ada = open_page()
    ada.sign_in(ADA)
    ada.page.goto(f"/pairings/{ids['pairing']}/sessions/{ids['meeting']}/feedback")
    ada.page.get_by_label("What went well").fill("Concrete examples.")
    ada.page.get_by_label("What helped most").fill("The decision log idea.")
    rating = ada.page.get_by_role("group", name="How useful the session was (1–5)")
    rating.get_by_label("5", exact=True).check()
    ada.page.get_by_role("button", name="Send feedback").click()
    expect(ada.page.get_by_text("Concrete examples.")).to_be_visible()
    ada.shot("feedback")
    with live_server.app.app_context():
        assert get_session().get(Meeting, ids["meeting"]).status.value == "completed"
