"""An admin runs a matching round in the browser: run, pin, exclude, re-run, publish."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import Pairing, User
from tests.round_cohort import make_cohort


def test_admin_runs_adjusts_and_publishes_a_round(web, live_server) -> None:  # noqa: ANN001
    ids = make_cohort(live_server.app, name="Spring Engineering Cohort")
    with live_server.app.app_context():
        email = get_session().get(User, ids["admin"]).email
    page = web.page
    page.set_default_timeout(30_000)  # the first run of a process loads the engine
    web.sign_in(email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Matching for Spring Engineering Cohort").click()
    expect(page.get_by_role("heading", name="Matching: Spring Engineering Cohort")).to_be_visible()
    expect(page.get_by_text("Mentees without a mentor")).to_be_visible()
    page.get_by_label("Objective").select_option(label="Most people matched")
    page.get_by_label("Minimum score").fill("0.1")
    page.get_by_label("Fairness report by").select_option(label="First language")
    web.shot("matching-page")

    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/admin/rounds/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Draft ready: 4 of 5 mentees matched")
    expect(page.get_by_role("heading", name="Report")).to_be_visible()
    expect(page.get_by_role("img", name="Pairs by score")).to_be_visible()
    expect(page.get_by_text("below 80% of the best group")).to_be_visible()
    web.shot("draft")

    page.get_by_role("button", name="Pin Cy with Linus").click()
    expect(page.get_by_role("status")).to_contain_text("Pair pinned")
    expect(page.get_by_role("button", name="Unpin Cy with Linus")).to_be_visible()
    page.get_by_role("button", name="Exclude Ada with Grace").click()
    expect(page.get_by_role("status")).to_contain_text("Pair excluded")
    expect(page.get_by_text("Changed since the run")).to_be_visible()
    web.shot("pinned-and-excluded")

    page.get_by_role("button", name="Re-run").click()
    expect(page.get_by_role("status")).to_contain_text("Draft ready")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Pinned")).to_contain_text("Linus")
    expect(rows.filter(has_text="Ada")).to_have_count(0)  # Linus is pinned, Grace excluded
    expect(page.get_by_role("listitem").filter(has_text="Ada")).to_contain_text(
        "seats of the allowed mentors")
    web.shot("rerun")

    page.get_by_role("button", name=re.compile(r"^Publish \d+ pairs$")).click()
    expect(page.get_by_role("status")).to_contain_text("Round published")
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Re-run")).to_have_count(0)
    web.shot("published")
    with live_server.app.app_context():
        made = set(get_session().execute(
            select(Pairing.mentee_enrolment_id, Pairing.mentor_enrolment_id)).all())
    assert (ids["Cy"], ids["Linus"]) in made and (ids["Ada"], ids["Grace"]) not in made
