"""The program dashboard: each figure on a small known program, the charts and their
tables, admins only, and a query count independent of the program's size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from mentorship.models import (
    DeclineReason,
    Enrolment,
    Feedback,
    Goal,
    GoalStatus,
    MatchRequest,
    Meeting,
    MeetingStatus,
    Pairing,
    RequestStatus,
    Role,
    utcnow,
)
from mentorship.services import pairings as pairing_service
from mentorship.services import rating_months, session_counts
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired
from tests.helpers import count_queries


def meeting(session: Session, pairing: Pairing, at: datetime,
            status: MeetingStatus = MeetingStatus.COMPLETED, *,
            next_check_in: date | None = None, logged_at: datetime | None = None) -> Meeting:
    item = Meeting(pairing_id=pairing.id, starts_at=at, duration_minutes=60, status=status,
                   agenda="SECRET-AGENDA", discussed="SECRET-DISCUSSED",
                   next_check_in=next_check_in, logged_at=logged_at)
    session.add(item)
    session.flush()
    session_counts.status_changed(session, pairing, item, MeetingStatus.SCHEDULED)  # as a log
    return item


def rate(session: Session, pairing: Pairing, role: Role, rating: int, at: datetime) -> Feedback:
    """A completed session at ``at`` and one side's feedback on it."""
    item = Feedback(pairing_id=pairing.id, meeting_id=meeting(session, pairing, at).id,
                    author_role=role, rating=rating, went_well="SECRET-FEEDBACK",
                    to_improve="SECRET-FEEDBACK", advice="SECRET-FEEDBACK", created_at=at)
    session.add(item)
    session.flush()
    rating_months.count(session, item, pairing.program_id)  # as feedback.give does
    return item


def goal(session: Session, pairing: Pairing, status: GoalStatus) -> Goal:
    item = Goal(pairing_id=pairing.id, title="SECRET-GOAL", status=status)
    session.add(item)
    session.flush()
    return item


def request(session: Session, mentee: Enrolment, mentor: Enrolment, status: Any,
            at: datetime, **extra: Any) -> MatchRequest:
    item = MatchRequest(program_id=mentee.program_id, mentee_enrolment_id=mentee.id,
                        mentor_enrolment_id=mentor.id, status=status, created_at=at,
                        expires_at=at + timedelta(days=7), message="SECRET-MESSAGE", **extra)
    session.add(item)
    session.flush()
    return item


def backdate(pairing: Pairing, enrolment: Enrolment, *, enrolled: datetime,
             started: datetime) -> None:
    enrolment.created_at = enrolled
    pairing.started_at = started


@pytest.fixture
def known(app: Flask) -> dict[str, int]:
    """Five mentees, four mentors, three active pairings and one ended, with activity."""
    def build(session: Session) -> dict[str, int]:
        now = utcnow()
        program = make_program(session, name="Spring Cohort")
        m1, m2 = mentor(session, program, "Mia"), mentor(session, program, "Max")
        m3 = mentor(session, program, "Moe", capacity=1)
        m4 = mentor(session, program, "Mel", capacity=3)
        e = [mentee(session, program, name) for name in ("Eve", "Eli", "Emi", "Eno", "Ely")]
        p1, p2, p3, p4 = (paired(session, e[0], m1), paired(session, e[1], m1),
                          paired(session, e[2], m2), paired(session, e[3], m3))
        for pairing, enrolment, enrolled, started in ((p1, e[0], 70, 60), (p2, e[1], 60, 40),
                                                      (p3, e[2], 40, 10), (p4, e[3], 104, 100)):
            backdate(pairing, enrolment, enrolled=now - timedelta(days=enrolled),
                     started=now - timedelta(days=started))
        admin = make_user(session, name="Admin", is_admin=True)
        pairing_service.end_pairing(session, p4, admin, "no_time")
        meeting(session, p1, now - timedelta(minutes=2))
        meeting(session, p1, now - timedelta(days=14))
        meeting(session, p2, now - timedelta(days=14))
        meeting(session, p3, now + timedelta(days=2), MeetingStatus.SCHEDULED)
        meeting(session, p2, now - timedelta(days=7), MeetingStatus.CANCELLED)
        meeting(session, p4, now - timedelta(days=7))
        goal(session, p1, GoalStatus.ACHIEVED)
        goal(session, p1, GoalStatus.OPEN)
        goal(session, p2, GoalStatus.DROPPED)
        request(session, e[0], m1, RequestStatus.ACCEPTED, now - timedelta(days=1))
        request(session, e[1], m1, RequestStatus.ACCEPTED, now - timedelta(days=1))
        request(session, e[4], m2, RequestStatus.DECLINED, now - timedelta(days=1),
                decline_reason=DeclineReason.SCHEDULE, decline_note="SECRET-NOTE")
        request(session, e[4], m4, RequestStatus.DECLINED, now - timedelta(days=1),
                decline_reason=DeclineReason.NO_CAPACITY, decline_note="SECRET-NOTE")
        request(session, e[4], m3, RequestStatus.PENDING, now - timedelta(days=1))
        member = make_user(session, name="Member")
        return {"program": program.id, "admin": admin.id, "member": member.id,
                "p1": p1.id, "p2": p2.id, "p3": p3.id}
    return create(app, build)



def dashboard(app: Flask, ids: dict[str, int], query: str = "") -> str:
    page = signed_in(app, ids["admin"]).get(f"/admin/programs/{ids['program']}/dashboard{query}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def api_report(app: Flask, ids: dict[str, int], query: str = "") -> dict[str, Any]:
    from tests.api.helpers import bearer
    answer = app.test_client().get(f"/api/v1/admin/programs/{ids['program']}/dashboard{query}",
                                   headers=bearer(app, ids["admin"]))
    assert answer.status_code == 200, answer.json
    return answer.json


def test_each_figure_of_a_known_program(app: Flask, known: dict[str, int]) -> None:
    report = api_report(app, known)
    assert report["participants"] == {"mentee": 5, "mentor": 4}
    assert report["matching"] == {"matched_mentees": 4, "matched_share": 0.8,
                                  "median_days_to_first_match": 15.0}  # of 4, 10, 20, 30
    assert report["pairings"] == {"active": 3, "ended": 1}
    weeks = [w["sessions"] for w in report["sessions_per_week"]]
    assert len(weeks) == 12 and weeks[-3:] == [2, 1, 1] and sum(weeks) == 4
    assert report["active_pairs_with_session_30_days"]["pairs"] == 2
    assert report["goals"] == {"open": 1, "achieved": 1, "dropped": 1}
    load = report["mentor_load"]
    assert (load["seats_used"], load["seats_offered"]) == (3, 8)
    assert load["mentors_by_seats_used"] == [{"seats_used": 0, "mentors": 2},
                                             {"seats_used": 1, "mentors": 1},
                                             {"seats_used": 2, "mentors": 1}]
    requests = report["requests"]
    assert requests["by_status"]["declined"] == 2 and requests["acceptance_rate"] == 0.5
    declines = {d["reason"]: d["requests"] for d in requests["decline_reasons"]}
    assert declines["Schedule"] == 1 and declines["No free seat"] == 1


def test_the_page_shows_the_figures_and_no_private_text(app: Flask,
                                                        known: dict[str, int]) -> None:
    text = dashboard(app, known)
    assert "Spring Cohort" in text
    assert "15.0 days" in text and "4 (80%)" in text  # matched mentees, median wait
    assert "2 (67%)" in text  # active pairs with a session in the last 30 days
    assert "Seats used: <strong>3</strong> of 8" in text
    assert "SECRET" not in text


def test_charts_are_drawn_on_the_server_with_a_table_beside_each(app: Flask,
                                                                 known: dict[str, int]) -> None:
    text = dashboard(app, known)
    assert text.count('role="img"') == 3
    for title in ("Sessions per week", "Mentors by seats used", "Ratings per month"):
        assert f'-title">{title}</title>' in text
        assert f"{title}: the figures of the chart" in text
    assert "<script" not in text.split("<main", 1)[1]


@pytest.mark.parametrize("who, status", [("member", 403), (None, 302)])
def test_only_admins_see_the_dashboard(app: Flask, known: dict[str, int], who: str | None,
                                       status: int) -> None:
    client = signed_in(app, known[who]) if who else app.test_client()
    for path in ("dashboard", "at-risk"):
        assert client.get(f"/admin/programs/{known['program']}/{path}").status_code == status


def test_a_missing_program_is_404(app: Flask, known: dict[str, int]) -> None:
    client = signed_in(app, known["admin"])
    assert client.get("/admin/programs/999/dashboard").status_code == 404
    assert client.get("/admin/programs/999/at-risk").status_code == 404


def test_a_bad_period_is_named_at_its_field(app: Flask, known: dict[str, int]) -> None:
    client = signed_in(app, known["admin"])
    page = client.get(f"/admin/programs/{known['program']}/dashboard?since=last+week")
    assert page.status_code == 422
    assert "Give a month as YYYY-MM." in page.get_data(as_text=True)
    page = client.get(f"/admin/programs/{known['program']}/dashboard?since=2030-01&until=2029-01")
    assert page.status_code == 422 and "or earlier" in page.get_data(as_text=True)


def grow(app: Flask, program_id: int, pairs: int) -> None:
    """More mentors, mentees, pairings, sessions, goals, feedback and requests."""
    def build(session: Session) -> None:
        from mentorship.models import Program
        program = session.get(Program, program_id)
        now = utcnow()
        for n in range(pairs):
            guide = mentor(session, program, f"Extra mentor {n}")
            learner = mentee(session, program, f"Extra mentee {n}")
            pairing = paired(session, learner, guide)
            meeting(session, pairing, now - timedelta(days=3))
            rate(session, pairing, Role.MENTEE, 4, now - timedelta(days=1))
            goal(session, pairing, GoalStatus.OPEN)
            request(session, learner, guide, RequestStatus.ACCEPTED, now)
    create(app, build)


def test_the_dashboard_query_count_does_not_grow_with_the_program(
        app: Flask, known: dict[str, int]) -> None:
    client = signed_in(app, known["admin"])
    path = f"/admin/programs/{known['program']}/dashboard"
    with count_queries(app) as small:
        assert client.get(path).status_code == 200
    grow(app, known["program"], 6)
    with count_queries(app) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small) <= 16
