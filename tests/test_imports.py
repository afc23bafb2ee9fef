"""Participants from a CSV file: the report before anything is written, all or nothing,
idempotent, existing accounts matched by email, and the files spreadsheets really save."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    AuditEntry,
    Availability,
    Enrolment,
    OutboxEmail,
    PasswordToken,
    Profile,
    Program,
    Role,
    User,
)
from mentorship.services import import_files, imports
from mentorship.services.audit import Action
from mentorship.services.errors import Conflict
from mentorship.services.import_files import Problem
from tests.factories import create, make_enrolment, make_program, make_user
from tests.helpers import ON_POSTGRES, count_queries, planner_rows

HEADER = "name,email,role,headline,languages,timezone,skills,goals,capacity,expertise"
GOOD = f"""{HEADER}
Ada Lovelace,ada@example.org,mentee,Analyst,"en, fr",Europe/London,"python, maths",Lead a team,,
Grace Hopper,grace@example.org,mentor,Compiler pioneer,en,America/New_York,compilers,,3,"python, compilers"
Alan Turing,alan@example.org,mentee,,en,,,Learn to mentor,,
"""


def link(token: str) -> str:
    return f"https://mentor.example/set-password/{token}"


@pytest.fixture
def program_id(app: Flask) -> int:
    return create(app, lambda s: make_program(s, name="Spring Cohort").id)


def run(app: Flask, program_id: int, text: str | bytes, *, dry_run: bool = False,
        commit: bool = True) -> import_files.Report:
    data = text.encode() if isinstance(text, str) else text
    with app.app_context():
        session = get_session()
        program = session.get(Program, program_id)
        if dry_run:
            return imports.check(session, program, data)
        report = imports.apply(session, program, data, None, link)
        if commit and report.applied:
            session.commit()
        return report


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def enrolments(app: Flask, program_id: int) -> dict[tuple[str, str], Enrolment]:
    with app.app_context():
        rows = get_session().execute(select(User.email, Enrolment).join(
            User, User.id == Enrolment.user_id).where(Enrolment.program_id == program_id))
        return {(email, e.role.value): e for email, e in rows}


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner statistics")
def test_an_import_leaves_the_planner_knowing_the_people_it_wrote(
        app: Flask, program_id: int) -> None:
    assert run(app, program_id, GOOD).applied
    for table, model in (("users", User), ("profiles", Profile), ("enrolments", Enrolment)):
        assert planner_rows(app, table) == count(app, model) == 3


def test_a_dry_run_reports_what_would_change_and_writes_nothing(app: Flask,
                                                                program_id: int) -> None:
    report = run(app, program_id, GOOD, dry_run=True)
    assert report.ok and not report.applied
    assert (report.new_accounts, report.new_enrolments, report.changes) == (3, 3, 3)
    assert (report.encoding, report.separator) == ("UTF-8", "comma")
    assert count(app, User) == 0 and count(app, Enrolment) == 0


def test_an_import_creates_accounts_profiles_enrolments_and_invitations(
        app: Flask, program_id: int) -> None:
    report = run(app, program_id, GOOD)
    assert report.applied and report.invited == 3
    stored = enrolments(app, program_id)
    grace = stored[("grace@example.org", "mentor")]
    assert (grace.capacity, grace.expertise, grace.availability) == (
        3, ["python", "compilers"], Availability.OPEN)
    assert stored[("ada@example.org", "mentee")].goals == "Lead a team"
    with app.app_context():
        session = get_session()
        ada = session.scalar(select(User).where(User.email == "ada@example.org"))
        assert ada.profile.languages == ["en", "fr"] and ada.profile.timezone == "Europe/London"
        assert ada.profile.headline == "Analyst"
        emails = list(session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
        assert [e.to_address for e in emails] == ["ada@example.org", "grace@example.org",
                                                  "alan@example.org"]
        assert "Spring Cohort" in emails[0].body and "https://mentor.example/set-password/" \
            in emails[0].body
        assert len({e.message_id for e in emails}) == 3
        entry = session.scalar(select(AuditEntry))
        assert entry.action == Action.PARTICIPANTS_IMPORTED and entry.program_id == program_id
        assert entry.details["new_accounts"] == 3
    assert count(app, PasswordToken) == 3


def test_the_report_names_row_column_and_message(app: Flask, program_id: int) -> None:
    text = f"""{HEADER}
Ada,not-an-email,mentee,,en,,,,,
,bob@example.org,teacher,,xx,Mars/Olympus,,,,
Cy,cy@example.org,mentor,,,,,,11,
Di,di@example.org,mentee,,,,,,2,
"""
    report = run(app, program_id, text, dry_run=True)
    assert not report.ok
    assert set(report.errors) == {
        Problem(2, "email", "Enter a valid email address, like name@example.org."),
        Problem(3, "name", "This field is required."),
        Problem(3, "role", "Choose one of: mentee, mentor."),
        Problem(3, "languages", "Unknown language code: xx. Use two-letter ISO 639-1 codes "
                                "such as en, de, pt."),
        Problem(3, "timezone", "Unknown time zone 'Mars/Olympus'. Use a name such as "
                               "Europe/Berlin."),
        Problem(4, "capacity", "Must be between 1 and 10."),
        Problem(5, "capacity", "Only for mentors: leave it empty on a mentee's row."),
    }


def test_one_bad_row_imports_nothing(app: Flask, program_id: int) -> None:
    report = run(app, program_id, GOOD + "Bad Row,bad@example.org,mentor,,,,,,99,\n")
    assert not report.applied and report.error_count == 1
    assert report.errors[0].row == 5
    assert count(app, User) == 0 and count(app, Enrolment) == 0
    assert count(app, OutboxEmail) == 0 and count(app, AuditEntry) == 0


def test_importing_the_same_file_twice_changes_nothing(app: Flask, program_id: int) -> None:
    run(app, program_id, GOOD)
    versions = {k: e.version for k, e in enrolments(app, program_id).items()}
    again = run(app, program_id, GOOD)
    assert (again.new_accounts, again.new_enrolments, again.updated_enrolments,
            again.unchanged, again.invited) == (0, 0, 0, 3, 0)
    assert {k: e.version for k, e in enrolments(app, program_id).items()} == versions
    assert count(app, User) == 3 and count(app, OutboxEmail) == 3


def test_a_changed_cell_updates_only_that_enrolment(app: Flask, program_id: int) -> None:
    run(app, program_id, GOOD)
    changed = GOOD.replace(",3,", ",4,")
    report = run(app, program_id, changed)
    assert (report.updated_enrolments, report.unchanged) == (1, 2)
    grace = enrolments(app, program_id)[("grace@example.org", "mentor")]
    assert grace.capacity == 4 and grace.expertise == ["python", "compilers"]


def test_an_empty_cell_leaves_the_stored_value(app: Flask, program_id: int) -> None:
    run(app, program_id, GOOD)
    report = run(app, program_id, "name,email,role,goals\nAda Lovelace,ada@example.org,mentee,\n")
    assert report.unchanged == 1
    assert enrolments(app, program_id)[("ada@example.org", "mentee")].goals == "Lead a team"


def test_existing_accounts_are_matched_by_email_in_any_case(app: Flask,
                                                            program_id: int) -> None:
    def build(session: Any) -> None:
        someone = make_user(session, name="Ada Byron", email="Ada@Example.org")
        someone.profile.headline = "Her own words"
    create(app, build)
    report = run(app, program_id, GOOD.replace("ada@example.org", "ADA@example.ORG"))
    assert (report.existing_accounts, report.new_accounts, report.invited) == (1, 2, 2)
    with app.app_context():
        ada = get_session().scalar(select(User).where(User.email == "Ada@Example.org"))
        assert ada.name == "Ada Byron" and ada.profile.headline == "Her own words"
        assert get_session().scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.user_id == ada.id)) == 0
    assert ("Ada@Example.org", "mentee") in enrolments(app, program_id)


def test_a_mentor_capacity_below_the_seats_taken_is_refused(app: Flask) -> None:
    def build(session: Any) -> int:
        program = make_program(session)
        grace = make_enrolment(session, make_user(session, email="grace@example.org"), program,
                               Role.MENTOR, capacity=3, seats_taken=2)
        return grace.program_id
    program_id = create(app, build)
    report = run(app, program_id, "name,email,role,capacity\nG,grace@example.org,mentor,1\n")
    assert report.errors == [Problem(2, "capacity",
                                     "This mentor has 2 mentees now: capacity cannot be lower.")]


def test_the_same_email_twice_in_one_role_is_an_error_naming_the_first_row(
        app: Flask, program_id: int) -> None:
    report = run(app, program_id, GOOD + "Ada Again,ADA@example.org,mentee,,,,,,,\n",
                 dry_run=True)
    assert report.errors == [Problem(5, "email", "The same email as row 2, in the same role: "
                                                 "one row per person and role.")]


def test_a_person_in_both_roles_has_a_row_for_each(app: Flask, program_id: int) -> None:
    both = GOOD + "Ada Lovelace,ada@example.org,mentor,,,,,,2,python\n"
    report = run(app, program_id, both)
    assert report.applied, report.errors
    assert (report.new_accounts, report.new_enrolments, report.invited) == (3, 4, 3)
    stored = enrolments(app, program_id)
    assert stored[("ada@example.org", "mentor")].capacity == 2
    assert stored[("ada@example.org", "mentee")].goals == "Lead a team"
    with app.app_context():
        body = get_session().scalar(select(OutboxEmail.body).where(
            OutboxEmail.to_address == "ada@example.org"))
    assert "as a mentee and mentor" in body


def test_two_rows_of_one_person_must_agree_on_name_and_profile(app: Flask,
                                                              program_id: int) -> None:
    both = GOOD + "Ada King,ada@example.org,mentor,,de,,,,2,\n"
    report = run(app, program_id, both, dry_run=True)
    assert [(p.row, p.column) for p in report.errors] == [(5, "name"), (5, "languages")]
    assert "Differs from row 2" in report.errors[0].message


def test_missing_required_columns_are_named_and_unknown_ones_warned(app: Flask,
                                                                   program_id: int) -> None:
    report = run(app, program_id, "Name,E-mail,shoe_size\nAda,ada@example.org,38\n",
                 dry_run=True)
    assert report.errors == [Problem(1, "", "Missing required columns: email, role. The "
                                            "header row must name them.")]
    assert [(w.row, w.column) for w in report.warnings] == [(1, "e-mail"), (1, "shoe_size")]


@pytest.mark.parametrize(("data", "encoding", "separator"), [
    ("\ufeffname;email;role\nJosé Ñúñez;jose@example.org;mentee\n".encode(),
     "UTF-8 with byte-order mark", "semicolon"),
    ("name;email;role\r\nJosé Ñúñez;jose@example.org;mentee\r\n".encode("cp1252"),
     "Windows-1252", "semicolon"),
    ("name\temail\trole\nJosé Ñúñez\tjose@example.org\tmentee\n".encode(), "UTF-8", "tab"),
], ids=["utf8-bom-semicolon", "cp1252-crlf", "tab"])
def test_spreadsheet_encodings_and_separators_are_read(app: Flask, program_id: int,
                                                       data: bytes, encoding: str,
                                                       separator: str) -> None:
    report = run(app, program_id, data)
    assert report.applied, report.errors
    assert (report.encoding, report.separator) == (encoding, separator)
    with app.app_context():
        assert get_session().scalar(select(User.name)) == "José Ñúñez"


@pytest.mark.parametrize("data", [b"name,email,role\n\x81\x8d\x8f\x90\n", b"PK\x03\x04\x00\x00",
                                  b"", b"  \n"], ids=["undecodable", "binary", "empty", "blank"])
def test_unreadable_files_get_a_clear_error(app: Flask, program_id: int, data: bytes) -> None:
    report = run(app, program_id, data)
    assert not report.applied and report.error_count == 1
    assert report.errors[0].row == 0
    assert any(word in report.errors[0].message for word in ("UTF-8", "binary", "empty"))


def test_formula_cells_are_kept_as_text_with_a_warning(app: Flask, program_id: int) -> None:
    text = ('name,email,role,headline,goals\n'
            '"=HYPERLINK(""http://evil.example"")",eve@example.org,mentee,@boss,"\'=1+2"\n')
    report = run(app, program_id, text)
    assert report.applied
    assert [(w.row, w.column) for w in report.warnings] == [(2, "name"), (2, "headline")]
    assert "kept as text" in report.warnings[0].message
    with app.app_context():
        eve = get_session().scalar(select(User).where(User.email == "eve@example.org"))
        assert eve.name == '=HYPERLINK("http://evil.example")'
        assert eve.profile.headline == "@boss"
    goals = enrolments(app, program_id)[("eve@example.org", "mentee")].goals
    assert goals == "=1+2"  # the ' an export adds is removed


def test_too_many_rows_are_refused(app: Flask, program_id: int,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_files, "MAX_ROWS", 2)
    report = run(app, program_id, GOOD, dry_run=True)
    assert any("more than 2 rows" in p.message for p in report.errors)


def test_imports_look_people_up_in_chunks_not_per_row(app: Flask) -> None:
    def file(n: int) -> str:
        return "name,email,role\n" + "".join(f"P{i},p{n}-{i}@example.org,mentee\n" for i in range(n))
    statements = []
    for n in (5, 40):
        program_id = create(app, lambda s: make_program(s).id)
        with count_queries(app) as queries:
            assert run(app, program_id, file(n)).applied
        statements.append(len(queries))
        with count_queries(app) as queries:
            assert run(app, program_id, file(n)).unchanged == n
        statements.append(len(queries))
    assert statements[0] == statements[2] and statements[1] == statements[3]


def test_an_account_made_meanwhile_refuses_the_whole_file(app: Flask, program_id: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    planned = imports._plan

    def plan_then_someone_signs_up(session: Any, program: Any, report: Any) -> Any:
        found = planned(session, program, report)
        make_user(session, email="grace@example.org")  # between the lookup and the insert
        return found
    monkeypatch.setattr(imports, "_plan", plan_then_someone_signs_up)
    with pytest.raises(Conflict, match="Import the file again"):
        run(app, program_id, GOOD)
    assert count(app, Enrolment) == 0 and count(app, OutboxEmail) == 0
