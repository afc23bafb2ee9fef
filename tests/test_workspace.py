"""The workspace frame, the agreement, the up-next panel, reflections and the export."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.db import get_session
from mentorship.models import (
    ActionItem,
    Agreement,
    EndReason,
    Feedback,
    Meeting,
    MeetingStatus,
    Message,
    Notification,
    Pairing,
    Role,
    User,
    utcnow,
)
from mentorship.services import meetings, pairings, workspace
from tests.api.helpers import count, fetch
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired, person
from tests.helpers import count_queries

AGREEMENT = {"cadence": "weekly", "session_minutes": "45", "ends_on": "",
             "mentee_wants": "Lead my first team with confidence",
             "contact": "This thread; video link for sessions",
             "confidentiality": "Stays between us."}


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    return make_pair(app)


def make_pair(app: Flask) -> dict[str, int]:
    """Ada and Grace's pairing, another pair of the program, an admin and a stranger."""
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Autumn Cohort")
        grace = mentor(session, program, "Grace Hopper", capacity=3)
        ada = mentee(session, program, "Ada Lovelace")
        pairing = paired(session, ada, grace)
        other_mentor = mentor(session, program, "Other Mentor")
        other = paired(session, mentee(session, program, "Other Mentee"), other_mentor)
        return {"pairing": pairing.id, "ada": ada.user_id, "grace": grace.user_id,
                "other_pairing": other.id, "other_mentor": other_mentor.user_id,
                "admin": make_user(session, name="Admin", is_admin=True).id,
                "stranger": person(session, "Stranger").id}
    return create(app, build)



def propose(client: FlaskClient, pairing_id: int, based_on: int = 0, **changes: str) -> Any:
    return client.post(f"/pairings/{pairing_id}/agreement",
                       data=AGREEMENT | {"based_on": str(based_on)} | changes)


def test_the_workspace_opens_on_the_agreement_as_the_first_step(app: Flask, pair: dict) -> None:
    page = signed_in(app, pair["ada"]).get(f"/pairings/{pair['pairing']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "First step: agree on how you work together" in html
    assert "Draft the agreement" in html
    assert 'aria-label="Workspace sections"' in html and "Up next" in html


def test_both_accept_then_an_edit_needs_both_again(app: Flask, pair: dict) -> None:
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    pid = pair["pairing"]
    assert propose(ada, pid).status_code == 302
    page = grace.get(f"/pairings/{pid}/agreement").get_data(as_text=True)
    assert "Waiting for your acceptance" in page and "Lead my first team" in page
    assert "Ada Lovelace proposed an agreement" in grace.get(f"/pairings/{pid}").get_data(
        as_text=True)
    assert grace.post(f"/pairings/{pid}/agreement/accept", data={"number": "1"}).status_code == 302
    assert "Accepted by both of you" in ada.get(f"/pairings/{pid}/agreement").get_data(as_text=True)
    assert "First step" not in ada.get(f"/pairings/{pid}").get_data(as_text=True)
    # Grace changes the cadence: a new version, hers accepted, Ada's needed again.
    assert propose(grace, pid, based_on=1, cadence="monthly").status_code == 302
    page = ada.get(f"/pairings/{pid}/agreement").get_data(as_text=True)
    assert "Version 2" in page and "Waiting for your acceptance" in page
    assert "version 1 stays in force" in page and "Earlier versions" in page
    assert ada.post(f"/pairings/{pid}/agreement/accept", data={"number": "2"}).status_code == 302
    with app.app_context():
        rows = get_session().query(Agreement).filter_by(pairing_id=pid).order_by(Agreement.number)
        assert [(a.number, a.cadence.value, a.mentee_accepted_at is not None,
                 a.mentor_accepted_at is not None) for a in rows] == [
            (1, "weekly", True, True), (2, "monthly", True, True)]
    assert count(app, Notification, Notification.kind == "agreement_accepted") == 2


def test_a_stale_save_or_acceptance_is_refused_with_409(app: Flask, pair: dict) -> None:
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    pid = pair["pairing"]
    propose(ada, pid)
    # Grace opened the empty form before Ada saved: her save is based on nothing.
    page = propose(grace, pid, based_on=0, cadence="monthly")
    assert page.status_code == 409
    assert "changed since you opened it" in page.get_data(as_text=True)
    propose(ada, pid, based_on=1, session_minutes="30")
    stale = grace.post(f"/pairings/{pid}/agreement/accept", data={"number": "1"})
    assert stale.status_code == 409
    assert count(app, Agreement, Agreement.pairing_id == pid) == 2
    assert fetch(app, Agreement, 1).mentor_accepted_at is None


def test_bad_input_is_shown_at_the_field_and_saves_nothing(app: Flask, pair: dict) -> None:
    ada = signed_in(app, pair["ada"])
    page = propose(ada, pair["pairing"], session_minutes="5", cadence="daily",
                   ends_on=(date.today() - timedelta(days=1)).isoformat())
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "15" in html and "240" in html
    assert count(app, Agreement) == 0


@pytest.mark.parametrize("who", ["other_mentor", "admin", "stranger"])
def test_nobody_outside_the_pair_reaches_any_of_it(app: Flask, pair: dict, who: str) -> None:
    ada = signed_in(app, pair["ada"])
    propose(ada, pair["pairing"])
    outsider = signed_in(app, pair[who])
    pid = pair["pairing"]
    for url in (f"/pairings/{pid}", f"/pairings/{pid}/agreement", f"/pairings/{pid}/export.md"):
        answer = outsider.get(url)
        assert answer.status_code == 404, url
        assert "Lead my first team" not in answer.get_data(as_text=True)
    assert propose(outsider, pid).status_code == 404
    assert outsider.post(f"/pairings/{pid}/agreement/accept",
                         data={"number": "1"}).status_code == 404
    assert outsider.post(f"/pairings/{pid}/reflection",
                         data={"what_changed": "x"}).status_code == 404
    assert count(app, Agreement) == 1


def _end(app: Flask, pair: dict) -> None:
    def end(session: Any) -> None:
        pairing = session.get(Pairing, pair["pairing"])
        pairings.end_pairing(session, pairing, pairing.mentee.user, EndReason.GOALS_MET)
    create(app, end)


def test_an_ended_workspace_is_read_only_and_asks_for_reflections(app: Flask, pair: dict) -> None:
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    pid = pair["pairing"]
    propose(ada, pid)
    _end(app, pair)
    assert propose(ada, pid, based_on=1).status_code == 409
    assert grace.post(f"/pairings/{pid}/agreement/accept", data={"number": "1"}).status_code == 409
    page = ada.get(f"/pairings/{pid}").get_data(as_text=True)
    assert "nothing in it can be changed" in page and "Save my reflection" in page
    blank = ada.post(f"/pairings/{pid}/reflection", data={"what_changed": " ", "what_next": ""})
    assert blank.status_code == 422
    saved = ada.post(f"/pairings/{pid}/reflection",
                     data={"what_changed": "I delegate now", "what_next": "Mentor someone"})
    assert saved.status_code == 302
    assert ada.post(f"/pairings/{pid}/reflection",
                    data={"what_changed": "again"}).status_code == 409
    page = grace.get(f"/pairings/{pid}").get_data(as_text=True)
    assert "I delegate now" in page and "Save my reflection" in page


def test_reflections_wait_for_the_end(app: Flask, pair: dict) -> None:
    ada = signed_in(app, pair["ada"])
    answer = ada.post(f"/pairings/{pair['pairing']}/reflection", data={"what_changed": "x"})
    assert answer.status_code == 409


def _history(app: Flask, pair: dict, n: int) -> None:
    """n messages, n sessions with a log, feedback from both sides, n action items."""
    def build(session: Any) -> None:
        pairing = session.get(Pairing, pair["pairing"])
        now = utcnow()
        for i in range(n):
            session.add(Message(pairing_id=pairing.id, author_id=pairing.mentee.user_id,
                                body=f"Message number {i}", client_key=f"k{n}-{i}"))
            meeting = Meeting(pairing_id=pairing.id, starts_at=now - timedelta(days=30 - i),
                              duration_minutes=45, status=MeetingStatus.COMPLETED,
                              discussed=f"Discussed topic {i}", logged_at=now,
                              next_check_in=date.today() + timedelta(days=7))
            session.add(meeting)
            session.flush()
            session.add(ActionItem(pairing_id=pairing.id, meeting_id=meeting.id,
                                   title=f"Step {i}", owner=Role.MENTEE,
                                   due_on=date.today() - timedelta(days=1)))
            for role, words in ((Role.MENTEE, "Ada's own feedback"),
                                (Role.MENTOR, "Grace's private feedback")):
                session.add(Feedback(pairing_id=pairing.id, meeting_id=meeting.id,
                                     author_role=role, went_well=f"{words} {i}", rating=4))
    create(app, build)


def test_the_export_holds_the_workspace_and_only_my_feedback(app: Flask, pair: dict) -> None:
    ada = signed_in(app, pair["ada"])
    propose(ada, pair["pairing"])
    _history(app, pair, 2)
    answer = ada.get(f"/pairings/{pair['pairing']}/export.md")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert "attachment" in answer.headers["Content-Disposition"]
    for expected in ("## Agreement", "Lead my first team", "Message number 1",
                     "Discussed topic 0", "- [ ] Step 1 (mentee", "Ada's own feedback 0"):
        assert expected in text
    assert "Grace's private feedback" not in text


def test_workspace_pages_do_not_grow_queries_with_history(app: Flask, pair: dict) -> None:
    ada = signed_in(app, pair["ada"])
    propose(ada, pair["pairing"])
    pid = pair["pairing"]
    urls = (f"/pairings/{pid}", f"/pairings/{pid}/agreement", f"/pairings/{pid}/export.md")

    def queries() -> list[int]:
        found = []
        for url in urls:
            with count_queries(app) as statements:
                assert ada.get(url).status_code == 200
            found.append(len(statements))
        return found

    _history(app, pair, 2)
    small = queries()
    _history(app, pair, 40)
    assert queries() == small


def test_up_next_shows_the_check_in_and_overdue_items(app: Flask, pair: dict) -> None:
    _history(app, pair, 1)
    page = signed_in(app, pair["grace"]).get(f"/pairings/{pair['pairing']}").get_data(
        as_text=True)
    assert "Next check-in" in page and "Step 0" in page and "1 overdue" in page


def test_the_dashboard_lists_mentorships_and_follow_ups(app: Flask, pair: dict) -> None:
    _history(app, pair, 1)
    page = signed_in(app, pair["ada"]).get("/").get_data(as_text=True)
    assert "My mentorships" in page and "Grace Hopper" in page
    assert "Check-ins in the next 7 days" in page
    assert "Your overdue action items" in page and "Step 0" in page
    # The action item is the mentee's: the mentor's dashboard does not call it theirs.
    assert "Your overdue action items" not in signed_in(app, pair["grace"]).get("/").get_data(
        as_text=True)


def test_the_dashboard_follow_ups_keep_each_lists_order_and_limit(app: Flask, pair: dict) -> None:
    """Sessions and overdue items come back in one read: each list in its own order,
    each cut at its own limit, sessions from the past hour on, only the person's items."""
    today = date.today()

    def build(session: Any) -> None:
        now = utcnow()
        for hours in (50, 2, 30, -0.5, -3, 10):  # the last two start an hour or more ago
            session.add(Meeting(pairing_id=pair["pairing"], duration_minutes=45,
                                starts_at=now + timedelta(hours=hours),
                                status=MeetingStatus.SCHEDULED))
        session.add(Meeting(pairing_id=pair["pairing"], starts_at=now + timedelta(hours=1),
                            duration_minutes=45, status=MeetingStatus.CANCELLED))
        for days, title, owner in ((3, "Third", Role.MENTEE), (9, "First", Role.MENTEE),
                                   (5, "Second", Role.MENTEE), (7, "Grace's", Role.MENTOR),
                                   (-2, "Not yet due", Role.MENTEE)):
            session.add(ActionItem(pairing_id=pair["pairing"], title=title, owner=owner,
                                   due_on=today - timedelta(days=days)))
    create(app, build)
    with app.app_context():
        db = get_session()
        ada = db.get(User, pair["ada"])
        pairing = db.get(Pairing, pair["pairing"])
        found = workspace.follow_ups(db, ada, [pairing], {}, today, limit=3)
    now = utcnow()
    assert [round((s.starts_at - now).total_seconds() / 3600, 1) for s in found.sessions] \
        == [-0.5, 2, 10]  # begun within the hour, then by start; cut at 3
    assert {s.pairing_id for s in found.sessions} == {pair["pairing"]}
    assert [(item.title, item.due_on) for item in found.overdue_items] == [
        ("First", today - timedelta(days=9)), ("Second", today - timedelta(days=5)),
        ("Third", today - timedelta(days=3))]
    assert found.pairings == {pair["pairing"]: pairing}


def test_the_dashboard_queries_do_not_grow_with_history(app: Flask, pair: dict) -> None:
    ada = signed_in(app, pair["ada"])
    _history(app, pair, 2)
    with count_queries(app) as few:
        ada.get("/")
    _history(app, pair, 30)
    with count_queries(app) as many:
        ada.get("/")
    assert len(many) == len(few)


def test_the_html_export_is_one_safe_page(app: Flask, pair: dict) -> None:
    def attack(session: Any) -> None:
        pairing = session.get(Pairing, pair["pairing"])
        session.add(Message(pairing_id=pairing.id, author_id=pairing.mentor.user_id,
                            client_key="x", body="<script>alert(1)</script> "
                            "[click](javascript:alert(2)) **bold advice**"))
    create(app, attack)
    answer = signed_in(app, pair["ada"]).get(f"/pairings/{pair['pairing']}/export.html")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "<strong>bold advice</strong>" in html and "<h2>Thread</h2>" in html
    assert "<script>" not in html and 'href="javascript' not in html
    page = signed_in(app, pair["ada"]).get(f"/pairings/{pair['pairing']}").get_data(as_text=True)
    assert "Download as HTML" in page


def test_no_workspace_page_repeats_an_element_id(csrf_app: Flask) -> None:
    """Tabs with several forms (each with its CSRF token) still give every id once, so
    each label and skip link finds its one element."""
    ids = make_pair(csrf_app)

    def planned(session: Any) -> int:
        pairing = session.get(Pairing, ids["pairing"])
        return meetings.schedule(session, pairing, pairing.mentee.user, {
            "starts_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45", "location": "Video call", "agenda": ""}).id
    meeting_id = create(csrf_app, planned)  # its page has the cancel, prep and edit forms
    client = signed_in(csrf_app, ids["ada"])
    for section in ("", "/agreement", "/thread", "/sessions", "/goals",
                    f"/sessions/{meeting_id}"):
        page = client.get(f"/pairings/{ids['pairing']}{section}")
        assert page.status_code == 200, section
        found = re.findall(r'\sid="([^"]+)"', page.get_data(as_text=True))
        repeated = sorted({name for name in found if found.count(name) > 1})
        assert repeated == [], (section, repeated)
        assert 'name="csrf_token"' in page.get_data(as_text=True)
