"""A new member: sign up, sign in, fill the profile, join a program as mentee."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import create, make_program

NAME, EMAIL = "Maya Okafor", "maya.okafor@example.test"
NEW_PASSWORD = "lantern harbour quietly 73 moss"


def test_sign_up_profile_and_enrol_as_mentee(web, live_server) -> None:  # noqa: ANN001
    program = create(live_server.app, lambda s: make_program(
        s, name="Spring Data Cohort", description="Twelve weeks of data mentoring."))
    page = web.page

    # Sign up from the landing page.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find the mentor who has walked your path")
    web.shot("landing")
    page.get_by_role("link", name="Create an account", exact=True).click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    web.shot("register-filled")
    page.get_by_role("button", name="Create account").click()

    # The new account signs in with its password and lands on the profile form.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    web.shot("registered")
    web.sign_in(EMAIL, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/profile/edit$"))
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()

    # Sign out, then back in through the form: the dashboard asks for a profile.
    web.sign_out()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    web.shot("signed-out")
    web.sign_in(EMAIL, NEW_PASSWORD)
    expect(page.get_by_role("heading", name=f"Hello, {NAME}")).to_be_visible()
    expect(page.get_by_text("Complete your profile")).to_be_visible()
    web.shot("dashboard-new")

    # Fill the profile; the skills input suggests vocabulary terms while typing.
    page.get_by_role("link", name="Fill in my profile").click()
    page.get_by_label("Headline").fill("Analyst moving into data engineering")
    page.get_by_label("Languages").fill("en, de")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Years of experience").fill("4")
    skills = page.get_by_label("Skills")
    skills.press_sequentially("python, kube")
    suggestions = page.locator(f"datalist#{skills.get_attribute('id')}-suggestions option")
    expect(suggestions.first).to_have_attribute("value", "python, kubernetes")
    skills.press_sequentially("rnetes, SQL")
    web.shot("profile-filled")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status")).to_have_text("Profile saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("Analyst moving into data engineering")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("English, German")
    expect(facts).to_contain_text("Europe/Berlin")
    expect(facts).to_contain_text("4 years")
    expect(facts.get_by_role("listitem")).to_have_text(["python", "kubernetes", "sql"])
    web.shot("profile")

    # Join the open program as a mentee.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("Complete your profile")).to_have_count(0)
    page.get_by_role("link", name=f"Join {program.name}").click()
    expect(page.get_by_role("heading", name=f"Enrol in {program.name}")).to_be_visible()
    expect(page.get_by_label("Mentee: I want guidance")).to_be_checked()
    expect(page.get_by_label("Expertise")).to_be_hidden()  # mentor fields show for mentors
    page.get_by_label("Your goals").fill("Build and run reliable data pipelines.")
    page.get_by_label("Skills to grow").fill("data engineering, airflow")
    web.shot("enrol-filled")
    page.get_by_role("button", name="Enrol").click()

    expect(page).to_have_url(re.compile(rf"/programs/{program.id}$"))
    expect(page.get_by_role("status")).to_have_text(
        f"You have joined {program.name} as mentee.")
    place = page.get_by_role("region", name="Your place in this program")
    expect(place).to_contain_text("Mentee")
    expect(place).to_contain_text("Build and run reliable data pipelines.")
    expect(place.get_by_role("listitem")).to_have_text(["data engineering", "airflow"])
    web.shot("program-enrolled")

    page.get_by_role("link", name="Dashboard").click()
    mine = page.get_by_role("region", name="My programs")
    expect(mine.get_by_role("link", name=program.name, exact=True)).to_be_visible()
    expect(mine).to_contain_text("Mentee")
    expect(mine.locator(".tags").get_by_role("listitem")).to_have_text(
        ["data engineering", "airflow"])
    expect(page.get_by_role("region", name="Open for enrolment")).to_contain_text(
        "No other program is open right now.")
    web.shot("dashboard-enrolled")
