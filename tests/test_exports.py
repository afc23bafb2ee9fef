"""CSV exports for admins: their content, formulas neutralised, no private text, the
privacy floor of the feedback figures, who may download them, and the audit log."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import (
    AuditEntry,
    EndReason,
    Feedback,
    Meeting,
    MeetingStatus,
    Message,
    PairingStatus,
    Program,
    Role,
    User,
)
from mentorship.services import rating_months
from mentorship.services.audit import Action
from tests.api.helpers import bearer
from tests.factories import create, make_enrolment, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired
from tests.test_imports import run

SECRET = "PRIVATE-WORDS"
MARCH, APRIL = datetime(2026, 3, 10, 9, 30), datetime(2026, 4, 2, 18, 0)


@pytest.fixture
def data(app: Flask) -> dict[str, int]:
    """A program with four pairs: three rated in March by mentees, one in April."""
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Export Cohort")
        ids: list[int] = []
        for i in range(4):
            coach = mentor(session, program, f"Mentor {i}", headline="=cmd|' /C calc'!A0")
            learner = mentee(session, program, f"+Mentee {i}")
            pairing = paired(session, learner, coach)
            meeting = Meeting(pairing_id=pairing.id, starts_at=MARCH if i < 3 else APRIL,
                              duration_minutes=45, agenda=SECRET, location=SECRET,
                              discussed=SECRET, status=MeetingStatus.COMPLETED)
            session.add(meeting)
            session.flush()
            session.add(Feedback(pairing_id=pairing.id, meeting_id=meeting.id,
                                 author_id=learner.user_id, author_role=Role.MENTEE,
                                 went_well=SECRET, to_improve=SECRET, advice=SECRET,
                                 rating=i + 2, created_at=MARCH if i < 3 else APRIL))
            session.add(Message(pairing_id=pairing.id, author_id=learner.user_id, body=SECRET,
                                client_key=f"k{i}"))
            ids.append(pairing.id)
            if i == 3:
                pairing.status, pairing.ended_at = PairingStatus.ENDED, APRIL
                pairing.end_reason, pairing.end_note = EndReason.GOALS_MET, SECRET
        session.flush()
        rating_months.recount(session, program.id)  # ratings written here, not given
        admin = make_user(session, name="Admin", is_admin=True)
        member = make_user(session, name="Member")
        return {"program": program.id, "admin": admin.id, "member": member.id,
                "pairing": ids[0]}
    return create(app, build)



def download(app: Flask, data: dict[str, int], kind: str) -> tuple[str, list[list[str]]]:
    answer = signed_in(app, data["admin"]).get(
        f"/admin/programs/{data['program']}/exports/{kind}.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert f"program-{data['program']}-{kind}.csv" in answer.headers["Content-Disposition"]
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return text, list(csv.reader(io.StringIO(text[1:])))


def test_participants_export_has_the_import_columns_and_neutralised_formulas(
        app: Flask, data: dict[str, int]) -> None:
    _, rows = download(app, data, "participants")
    assert rows[0][:4] == ["name", "email", "role", "headline"]
    assert "capacity" in rows[0] and "goals" in rows[0]
    mentors = [r for r in rows[1:] if r[2] == "mentor"]
    assert len(mentors) == 4 and len(rows) == 9
    assert mentors[0][3] == "'=cmd|' /C calc'!A0"
    assert {r[0] for r in rows[1:] if r[2] == "mentee"} == {f"'+Mentee {i}" for i in range(4)}


def test_a_participants_export_imports_back_unchanged(app: Flask,
                                                      data: dict[str, int]) -> None:
    text, _ = download(app, data, "participants")
    report = run(app, data["program"], text.encode())
    assert report.ok, report.errors
    assert (report.unchanged, report.changes, report.new_accounts) == (8, 0, 0)


def test_someone_in_both_roles_exports_and_imports_back_unchanged(
        app: Flask, data: dict[str, int]) -> None:
    def both_roles(session: Any) -> None:
        grace = session.scalar(select(User).where(User.name == "Mentor 0"))
        make_enrolment(session, grace, session.get(Program, data["program"]), Role.MENTEE)
    create(app, both_roles)
    text, rows = download(app, data, "participants")
    assert [r[2] for r in rows[1:] if r[0] == "Mentor 0"] == ["mentor", "mentee"]
    report = run(app, data["program"], text.encode())
    assert report.ok, report.errors
    assert (report.unchanged, report.changes, report.existing_accounts) == (9, 0, 8)


def test_pairings_export_holds_metadata_only(app: Flask, data: dict[str, int]) -> None:
    text, rows = download(app, data, "pairings")
    assert rows[0] == ["pairing_id", "mentee_name", "mentee_email", "mentor_name",
                       "mentor_email", "status", "source", "started_at_utc", "ended_at_utc",
                       "end_reason"]
    ended = [r for r in rows[1:] if r[5] == "ended"]
    assert len(rows) == 5 and ended[0][8:] == ["2026-04-02 18:00", "goals_met"]
    assert rows[1][1] == "'+Mentee 0" and rows[1][3] == "Mentor 0"
    assert SECRET not in text and "Both speak English" not in text


def test_sessions_export_holds_dates_and_statuses_only(app: Flask,
                                                       data: dict[str, int]) -> None:
    text, rows = download(app, data, "sessions")
    assert rows[0] == ["session_id", "pairing_id", "starts_at_utc", "duration_minutes",
                       "status"]
    assert rows[1][1:] == [str(data["pairing"]), "2026-03-10 09:30", "45", "completed"]
    assert len(rows) == 5 and SECRET not in text


def test_feedback_is_aggregated_per_month_over_at_least_three_pairs(
        app: Flask, data: dict[str, int]) -> None:
    text, rows = download(app, data, "feedback")
    assert rows == [["month", "ratings_by", "pairs", "ratings", "mean_rating"],
                    ["2026-03", "mentees", "3", "3", "3.00"]]  # April's single pair: left out
    assert SECRET not in text


@pytest.mark.parametrize("kind", ["participants", "pairings", "sessions", "feedback"])
def test_no_export_holds_what_pairs_write(app: Flask, data: dict[str, int],
                                          kind: str) -> None:
    text, _ = download(app, data, kind)
    assert SECRET not in text


def test_each_download_is_in_the_audit_log(app: Flask, data: dict[str, int]) -> None:
    download(app, data, "sessions")
    download(app, data, "feedback")
    with app.app_context():
        entries = list(get_session().scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.target, e.program_id, e.actor_name) for e in entries] == [
        (Action.DATA_EXPORTED, "sessions", data["program"], "Admin"),
        (Action.DATA_EXPORTED, "feedback", data["program"], "Admin")]


def test_exports_are_for_admins_only(app: Flask, data: dict[str, int]) -> None:
    base = f"/admin/programs/{data['program']}"
    for path in (f"{base}/exports", f"{base}/exports/participants.csv", f"{base}/import"):
        assert signed_in(app, data["member"]).get(path).status_code == 403
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert signed_in(app, data["admin"]).get(f"{base}/exports/secrets.csv").status_code == 404
    assert signed_in(app, data["admin"]).get("/admin/programs/999/exports").status_code == 404
    with app.app_context():
        assert get_session().scalar(select(AuditEntry)) is None


def test_the_exports_page_links_every_download(app: Flask, data: dict[str, int]) -> None:
    page = signed_in(app, data["admin"]).get(f"/admin/programs/{data['program']}/exports")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for kind in ("participants", "pairings", "sessions", "feedback"):
        assert f"/admin/programs/{data['program']}/exports/{kind}.csv" in text


def test_the_api_serves_the_same_exports_to_admins_only(app: Flask,
                                                        data: dict[str, int]) -> None:
    client = app.test_client()
    path = f"/api/v1/admin/programs/{data['program']}/exports/pairings.csv"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(app, data["member"])).status_code == 403
    answer = client.get(path, headers=bearer(app, data["admin"]))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.get_data(as_text=True) == download(app, data, "pairings")[0]
    unknown = client.get(f"/api/v1/admin/programs/{data['program']}/exports/notes.csv",
                         headers=bearer(app, data["admin"]))
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "not_found"
