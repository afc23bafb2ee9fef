"""At-risk pairs: each reason triggered (and not by a healthy pair), nudging both sides
with an audit entry, ending and re-matching, admins only, and a fixed query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.models import (
    Agreement,
    AuditEntry,
    Cadence,
    Enrolment,
    FitAnswer,
    FitCheck,
    Message,
    Notification,
    Pairing,
    PairingStatus,
    Program,
    Role,
    utcnow,
)
from mentorship.services import pairings as pairing_service
from tests.api.helpers import bearer
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired
from tests.helpers import count_queries
from tests.test_dashboard import meeting, rate


def agree(session: Session, pairing: Pairing, *, both: bool = True) -> None:
    now = utcnow()
    session.add(Agreement(pairing_id=pairing.id, number=1, cadence=Cadence.WEEKLY,
                          session_minutes=60, mentee_wants="SECRET-WANTS",
                          mentee_accepted_at=now, mentor_accepted_at=now if both else None))
    session.flush()


def pair(session: Session, program: Program, name: str, days: int, *, agreed: bool = True
         ) -> Pairing:
    """A pairing started ``days`` ago, with an agreement both accepted (unless not)."""
    pairing = paired(session, mentee(session, program, f"{name} Mentee"),
                     mentor(session, program, f"{name} Mentor"))
    pairing.started_at = utcnow() - timedelta(days=days)
    if agreed:
        agree(session, pairing)
    return pairing


def build_pairs(session: Session, program: Program) -> dict[str, int]:
    now, today = utcnow(), utcnow().date()
    made: dict[str, Pairing] = {}
    made["calm"] = pair(session, program, "Calm", 60)
    meeting(session, made["calm"], now - timedelta(days=3))
    made["quiet"] = pair(session, program, "Quiet", 60)
    meeting(session, made["quiet"], now - timedelta(days=30))
    session.add(Message(pairing_id=made["quiet"].id, author_id=None, body="SECRET-MESSAGE",
                        client_key="a", created_at=now - timedelta(days=25)))
    made["chatty"] = pair(session, program, "Chatty", 60)  # no session, but a recent message
    session.add(Message(pairing_id=made["chatty"].id, author_id=None, body="SECRET-MESSAGE",
                        client_key="b", created_at=now - timedelta(days=2)))
    made["check_in"] = pair(session, program, "Checkin", 60)
    meeting(session, made["check_in"], now - timedelta(days=20), logged_at=now - timedelta(days=20),
            next_check_in=today + timedelta(days=30))
    meeting(session, made["check_in"], now - timedelta(days=3), logged_at=now - timedelta(days=3),
            next_check_in=today - timedelta(days=2))
    made["agreement"] = pair(session, program, "Unagreed", 10, agreed=False)
    agree(session, made["agreement"], both=False)
    meeting(session, made["agreement"], now - timedelta(days=2))
    made["new"] = pair(session, program, "New", 3, agreed=False)  # within the 7 days' grace
    made["fit"] = pair(session, program, "Fit", 60)
    meeting(session, made["fit"], now - timedelta(days=2))
    session.add(FitCheck(pairing_id=made["fit"].id, author_role=Role.MENTOR,
                         answer=FitAnswer.NO))
    session.add(FitCheck(pairing_id=made["calm"].id, author_role=Role.MENTEE,
                         answer=FitAnswer.UNSURE))
    made["ratings"] = pair(session, program, "Low", 60)
    for rating, ago in ((5, 9), (2, 6), (1, 3)):
        rate(session, made["ratings"], Role.MENTEE, rating, now - timedelta(days=ago))
    made["recovered"] = pair(session, program, "Recovered", 60)
    for rating, ago in ((1, 9), (1, 6), (4, 3)):
        rate(session, made["recovered"], Role.MENTOR, rating, now - timedelta(days=ago))
    made["ended"] = pair(session, program, "Ended", 90)
    return {name: p.id for name, p in made.items()}


@pytest.fixture
def risky(app: Flask) -> dict[str, int]:
    def build(session: Session) -> dict[str, int]:
        program = make_program(session, name="Winter Cohort")
        ids = build_pairs(session, program)
        admin = make_user(session, name="Admin", is_admin=True)
        pairing_service.end_pairing(session, session.get(Pairing, ids["ended"]), admin, "other")
        other = make_program(session, name="Other Cohort")
        stranger = pair(session, other, "Elsewhere", 60)
        return ids | {"program": program.id, "admin": admin.id, "other_pairing": stranger.id,
                      "member": make_user(session, name="Member").id}
    return create(app, build)


def listed(app: Flask, ids: dict[str, int]) -> dict[int, list[str]]:
    answer = app.test_client().get(f"/api/v1/admin/programs/{ids['program']}/at-risk",
                                   headers=bearer(app, ids["admin"]))
    assert answer.status_code == 200
    return {p["pairing_id"]: p["reasons"] for p in answer.json["pairs"]}


def test_each_reason_is_flagged_and_healthy_pairs_are_not(app: Flask,
                                                          risky: dict[str, int]) -> None:
    found = listed(app, risky)
    assert found == {risky["quiet"]: ["quiet"], risky["check_in"]: ["check_in"],
                     risky["agreement"]: ["agreement"], risky["fit"]: ["fit"],
                     risky["ratings"]: ["ratings"]}


def test_the_quiet_threshold_is_the_programs_setting(app: Flask, risky: dict[str, int]) -> None:
    def loosen(session: Session) -> None:
        session.get(Program, risky["program"]).at_risk_after_days = 40
    create(app, loosen)
    assert risky["quiet"] not in listed(app, risky)


def test_the_list_shows_reasons_and_dates_never_what_the_pair_wrote(
        app: Flask, risky: dict[str, int]) -> None:
    page = signed_in(app, risky["admin"]).get(f"/admin/programs/{risky['program']}/at-risk")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No session or message for 21 days" in text
    assert "Check-in overdue" in text and "Agreement not accepted by both after 7 days" in text
    assert "A fit concern was raised" in text and "Recent session ratings are low" in text
    assert "Quiet Mentee" in text and "Calm Mentee" not in text and "Ended Mentee" not in text
    assert "SECRET" not in text
    assert "Nudge both" in text and "End and re-match" in text


def test_a_nudge_notifies_both_sides_and_is_audited(app: Flask, risky: dict[str, int]) -> None:
    client = signed_in(app, risky["admin"])
    done = client.post(f"/admin/programs/{risky['program']}/at-risk/{risky['quiet']}/nudge",
                       data={"step": "quiet"})
    assert done.status_code == 302
    assert "were both notified" in client.get(done.location).get_data(as_text=True)
    with app.app_context():
        db = get_session()
        pairing = db.get(Pairing, risky["quiet"])
        notes = db.scalars(select(Notification).where(Notification.kind == "pair_nudged")).all()
        assert {n.user_id for n in notes} == {pairing.mentee.user_id, pairing.mentor.user_id}
        assert all("book your next session" in n.data["reason"].lower() for n in notes)
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "pair_nudged"))
        assert entry is not None and entry.target == f"pairing:{risky['quiet']}"
        assert entry.actor_id == risky["admin"] and entry.program_id == risky["program"]


def test_a_nudge_with_an_unknown_step_changes_nothing(app: Flask, risky: dict[str, int]) -> None:
    client = signed_in(app, risky["admin"])
    bad = client.post(f"/admin/programs/{risky['program']}/at-risk/{risky['quiet']}/nudge",
                      data={"step": "shout"})
    assert bad.status_code == 422
    assert "Not a valid choice" in bad.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(Notification).where(
            Notification.kind == "pair_nudged")) is None


@pytest.mark.parametrize("target, status", [("ended", 409), ("other_pairing", 404)])
def test_ended_or_foreign_pairs_cannot_be_nudged(app: Flask, risky: dict[str, int], target: str,
                                                 status: int) -> None:
    client = signed_in(app, risky["admin"])
    answer = client.post(f"/admin/programs/{risky['program']}/at-risk/{risky[target]}/nudge",
                         data={"step": "quiet"})
    assert answer.status_code == status
    with app.app_context():
        assert get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "pair_nudged")) is None


def test_ending_frees_the_mentor_lets_the_mentee_rematch_and_is_audited(
        app: Flask, risky: dict[str, int]) -> None:
    client = signed_in(app, risky["admin"])
    done = client.post(f"/admin/programs/{risky['program']}/at-risk/{risky['fit']}/end",
                       data={"reason": "not_a_good_fit"})
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert "can now be matched again" in page and f'id="pairing-{risky["fit"]}"' not in page
    with app.app_context():
        db = get_session()
        pairing = db.get(Pairing, risky["fit"])
        assert pairing.status == PairingStatus.ENDED
        assert db.get(Enrolment, pairing.mentor_enrolment_id).seats_taken == 0
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "pairing_ended",
                                                   AuditEntry.target == f"pairing:{risky['fit']}"))
        assert entry is not None and entry.actor_id == risky["admin"]
    assert risky["fit"] not in listed(app, risky)


def test_members_may_not_nudge_or_end(app: Flask, risky: dict[str, int]) -> None:
    client = signed_in(app, risky["member"])
    base = f"/admin/programs/{risky['program']}/at-risk/{risky['quiet']}"
    assert client.post(f"{base}/nudge", data={"step": "quiet"}).status_code == 403
    assert client.post(f"{base}/end", data={"reason": "other"}).status_code == 403
    with app.app_context():
        assert get_session().get(Pairing, risky["quiet"]).status == PairingStatus.ACTIVE


def test_a_nudge_needs_the_forms_csrf_token(csrf_app: Flask) -> None:
    def build(session: Session) -> dict[str, Any]:
        program = make_program(session)
        quiet = pair(session, program, "Quiet", 60)
        return {"program": program.id, "quiet": quiet.id,
                "admin": make_user(session, is_admin=True).id}
    ids = create(csrf_app, build)
    client = signed_in(csrf_app, ids["admin"])
    path = f"/admin/programs/{ids['program']}/at-risk/{ids['quiet']}/nudge"
    refused = client.post(path, data={"step": "quiet"})
    assert refused.status_code in (400, 422)
    page = client.get(f"/admin/programs/{ids['program']}/at-risk").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(path, data={"step": "quiet", "csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        assert len(get_session().scalars(select(Notification)).all()) == 2


def test_the_at_risk_query_count_does_not_grow_with_the_pairs(app: Flask,
                                                              risky: dict[str, int]) -> None:
    client = signed_in(app, risky["admin"])
    path = f"/admin/programs/{risky['program']}/at-risk"
    with count_queries(app) as small:
        assert client.get(path).status_code == 200

    def more(session: Session) -> None:
        build_pairs(session, session.get(Program, risky["program"]))
    create(app, more)
    with count_queries(app) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small) <= 8
