"""Program health in a browser, on the demo program: the admin imports people from a
CSV (bad rows first, then fixed), reads the dashboard's charts over the demo's
activity, nudges an at-risk pair and exports CSVs; a member downloads their data and
deletes their account. Screenshots land in ``artifacts/browser``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from mentorship.db import get_session
from mentorship.models import Notification, User
from mentorship.services import demo
from mentorship.services.matches import warm_engine
from tests.factories import create

BAD_CSV = ("name,email,role,capacity\n"
           "Noor Haddad,noor@example.test,mentee,\n"
           "Broken Row,not-an-email,mentee,\n"
           "Iva Petrova,iva@example.test,mentor,99\n")
GOOD_CSV = ("name,email,role,capacity\n"
            "Noor Haddad,noor@example.test,mentee,\n"
            "Iva Petrova,iva@example.test,mentor,3\n")


def seed(session: Any) -> None:
    demo.seed_demo(session, mentees=40, mentors=14, seed=7, today=date.today())


def program_id(live_server: Any, name: str) -> int:
    from mentorship.models import Program
    with live_server.app.app_context():
        found = get_session().query(Program).filter_by(name=name).one()
        return found.id


def test_admin_imports_reads_the_dashboard_nudges_and_exports(
        open_page, live_server, tmp_path: Path) -> None:  # noqa: ANN001
    warm_engine().join()
    create(live_server.app, seed)
    main = program_id(live_server, demo.MAIN_PROGRAM)
    track = program_id(live_server, "Engineering Leadership Track")
    admin = open_page()
    page = admin.page
    admin.sign_in(demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)

    # Import: a file with bad rows is reported by row and column; nothing is written.
    page.goto(f"/admin/programs/{main}/import")
    bad = tmp_path / "people.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("table").filter(has_text="Problem")
    expect(problems).to_contain_text("email")
    expect(problems).to_contain_text("capacity")
    admin.shot("import-report-with-problems")
    good = tmp_path / "people-fixed.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.goto(f"/admin/programs/{main}/import")
    page.get_by_label("CSV file", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 people").click()
    expect(page.get_by_text("Imported 2 enrolments")).to_be_visible()
    admin.shot("imported")
    with live_server.app.app_context():
        assert get_session().query(User).filter_by(email="noor@example.test").count() == 1

    # The dashboard of the running track: charts drawn over the demo's activity.
    page.goto("/admin/programs")
    page.get_by_role("link", name="Dashboard of Engineering Leadership Track").click()
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    assert page.locator("svg[role=img]").count() >= 2
    expect(page.locator("table").first).to_be_visible()
    admin.shot("dashboard")

    # At-risk pairs: the quiet ones are listed with the reason; nudge the first.
    page.get_by_role("link", name="See the at-risk pairs").click()
    first = page.locator("li.at-risk").first
    expect(first.locator(".reasons li").first).to_be_visible()
    first.get_by_role("button", name="Nudge both").click()
    expect(page.get_by_text("were both notified with the suggested next step")).to_be_visible()
    admin.shot("nudged")
    with live_server.app.app_context():
        assert get_session().query(Notification).filter_by(kind="pair_nudged").count() == 2

    # Exports: the participants CSV opens as a table with the import's columns.
    page.goto(f"/admin/programs/{track}/exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Participants (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert rows[0][:3] == ["name", "email", "role"] and len(rows) > 10
    admin.shot("exports")


def test_a_member_downloads_their_data_and_deletes_the_account(
        open_page, live_server) -> None:  # noqa: ANN001
    from tests.factories import PASSWORD, make_program
    from tests.flows import mentee, mentor, paired, person

    def build(session: Any) -> None:
        program = make_program(session, name="Harbour")
        leaving = person(session, "Quinn Leaving", email="quinn@example.test")
        pairing = paired(session, mentee(session, program, "Quinn", user=leaving),
                         mentor(session, program, "Grace Hopper"))
        assert pairing.id
    create(live_server.app, build)
    member = open_page()
    page = member.page
    member.sign_in("quinn@example.test", PASSWORD)
    page.goto("/account/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert data["account"]["email"] == "quinn@example.test" and data["pairings"]
    member.shot("account-and-data")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand", exact=False).check()
    member.shot("delete-confirmation")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    member.shot("deleted")
    member.sign_in("quinn@example.test", PASSWORD)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # refused: still on the form
