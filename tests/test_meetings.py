"""Sessions of a pair: scheduling in each viewer's time zone, prep notes, logging, the
rules of their statuses, privacy, and query counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import (
    ActionItem,
    Meeting,
    MeetingStatus,
    Notification,
    Pairing,
    PairingStatus,
    PrepNote,
    Role,
    utcnow,
)
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired, person


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    """Ada (mentee, New York) and Grace (mentor, Tokyo); another pair; an admin; a stranger."""
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Autumn Cohort")
        grace = mentor(session, program, "Grace Hopper", timezone="Asia/Tokyo")
        ada = mentee(session, program, "Ada Lovelace", timezone="America/New_York")
        pairing = paired(session, ada, grace)
        other_mentor = mentor(session, program, "Mary Other", timezone="Europe/Berlin")
        other_mentee = mentee(session, program, "Otto Other")
        other = paired(session, other_mentee, other_mentor)
        admin = make_user(session, name="Admin", is_admin=True)
        stranger = person(session, "Stan Stranger")
        return {"pairing": pairing.id, "grace": grace.user_id, "ada": ada.user_id,
                "other_pairing": other.id, "other_mentor": other_mentor.user_id,
                "admin": admin.id, "stranger": stranger.id}
    return create(app, build)



def add_meeting(app: Flask, pairing_id: int, *, starts_in: timedelta = timedelta(days=2),
                status: MeetingStatus = MeetingStatus.SCHEDULED, **values: Any) -> int:
    """A session stored directly (past ones cannot be scheduled through the form)."""
    def build(session: Any) -> int:
        meeting = Meeting(pairing_id=pairing_id, starts_at=utcnow().replace(microsecond=0)
                          + starts_in, duration_minutes=60, status=status,
                          **({"location": "Room 1", "agenda": "Talk"} | values))
        session.add(meeting)
        session.flush()
        return meeting.id
    return create(app, build)


def fetch_meeting(app: Flask, meeting_id: int) -> Meeting:
    with app.app_context():
        meeting = get_session().get(Meeting, meeting_id)
        get_session().expunge(meeting)
        return meeting


def sessions_url(pair: dict[str, int], meeting_id: int | None = None) -> str:
    base = f"/pairings/{pair['pairing']}/sessions"
    return base if meeting_id is None else f"{base}/{meeting_id}"


def test_a_session_scheduled_in_new_york_shows_in_tokyo_time(app: Flask,
                                                             pair: dict[str, int]) -> None:
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    year = utcnow().year + 1
    done = ada.post(sessions_url(pair), data={
        "start_date": f"{year}-03-02", "start_time": "19:30", "duration_minutes": "45",
        "location": "https://meet.example/abc", "agenda": "Career <b>plan</b>"})
    assert done.status_code == 302
    with app.app_context():
        meeting = get_session().scalars(select(Meeting)).one()
        # 19:30 in New York (EST, UTC-5) is 00:30 UTC the next day, 09:30 in Tokyo.
        assert meeting.starts_at == datetime(year, 3, 3, 0, 30)
        assert meeting.created_by_id == pair["ada"]
        notice = get_session().scalars(select(Notification)).one()
        assert notice.user_id == pair["grace"] and notice.kind == "session_scheduled"
        assert "09:30 JST" in notice.data["when"]
    page = grace.get(sessions_url(pair, meeting.id)).get_data(as_text=True)
    assert f"3 Mar {year}, 09:30 JST" in page
    assert "Career &lt;b&gt;plan&lt;/b&gt;" in page
    mine = ada.get(sessions_url(pair, meeting.id)).get_data(as_text=True)
    assert f"2 Mar {year}, 19:30 EST" in mine
    assert 'value="19:30"' in mine  # the edit form in Ada's own zone


def test_a_time_across_a_clock_change_is_read_in_that_days_offset(app: Flask,
                                                                  pair: dict[str, int]) -> None:
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    year = utcnow().year + 1
    # New York moves to daylight time on the second Sunday of March: 9:00 EDT is 13:00 UTC.
    second_sunday = next(d for d in range(8, 15) if datetime(year, 3, d).weekday() == 6)
    for day in (second_sunday - 1, second_sunday):
        assert ada.post(sessions_url(pair), data={
            "start_date": f"{year}-03-{day:02d}", "start_time": "09:00",
            "duration_minutes": "60"}).status_code == 302
    with app.app_context():
        saturday, sunday = get_session().scalars(select(Meeting).order_by(Meeting.id))
        assert saturday.starts_at == datetime(year, 3, second_sunday - 1, 14, 0)  # EST, UTC-5
        assert sunday.starts_at == datetime(year, 3, second_sunday, 13, 0)  # EDT, UTC-4
    page = grace.get(sessions_url(pair)).get_data(as_text=True)
    assert f"{second_sunday - 1} Mar {year}, 23:00 JST" in page
    assert f"{second_sunday} Mar {year}, 22:00 JST" in page
    mine = ada.get(sessions_url(pair)).get_data(as_text=True)
    assert f"{second_sunday - 1} Mar {year}, 09:00 EST" in mine
    assert f"{second_sunday} Mar {year}, 09:00 EDT" in mine


def future_day(days: int = 3) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_bad_input_is_named_at_its_field_and_nothing_is_stored(app: Flask,
                                                               pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    page = ada.post(sessions_url(pair), data={"start_date": "next week", "start_time": "25:00",
                                              "duration_minutes": "5", "location": "x" * 501})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Use a date like 2027-01-31." in text
    assert "Use a time like 14:30." in text
    assert "Must be between 15 and 480." in text
    assert "Use at most 500 characters." in text
    past = ada.post(sessions_url(pair), data={"start_date": "2020-01-01", "start_time": "10:00",
                                              "duration_minutes": "60"})
    assert past.status_code == 422 and "Choose a time from now on." in past.get_data(as_text=True)
    empty = ada.post(sessions_url(pair), data={"start_date": "", "start_time": "",
                                               "duration_minutes": ""})
    assert empty.get_data(as_text=True).count("This field is required.") == 3
    with app.app_context():
        assert get_session().scalars(select(Meeting)).first() is None
        assert get_session().scalars(select(Notification)).first() is None


def test_the_first_session_offers_the_five_elements_later_ones_a_check_in(
        app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    first = ada.get(sessions_url(pair)).get_data(as_text=True)
    assert "Open dialogue" in first and "Goal setting" in first and "Follow-up" in first
    assert "No session planned." in first
    add_meeting(app, pair["pairing"])
    later = ada.get(sessions_url(pair)).get_data(as_text=True)
    assert "Since last time:" in later and "Where I want help:" in later
    assert "Open dialogue" not in later


def test_a_change_bumps_the_sequence_tells_the_partner_and_refuses_a_stale_form(
        app: Flask, pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"])
    grace = signed_in(app, pair["grace"])
    url = sessions_url(pair, meeting_id)
    form = {"start_date": future_day(4), "start_time": "10:00", "duration_minutes": "90",
            "location": "Cafe", "agenda": "New plan", "version": "1"}
    assert grace.post(url, data=form).status_code == 302
    changed = fetch_meeting(app, meeting_id)
    assert (changed.sequence, changed.version, changed.location) == (1, 2, "Cafe")
    with app.app_context():
        notice = get_session().scalars(select(Notification)).one()
        assert (notice.user_id, notice.kind) == (pair["ada"], "session_changed")
    stale = grace.post(url, data=form | {"location": "Library"})
    assert stale.status_code == 409
    assert "Someone saved this after you opened it" in stale.get_data(as_text=True)
    assert fetch_meeting(app, meeting_id).location == "Cafe"


def test_cancelling_tells_the_partner_and_closes_the_session(app: Flask,
                                                            pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"])
    ada = signed_in(app, pair["ada"])
    url = sessions_url(pair, meeting_id)
    assert ada.post(url + "/cancel").status_code == 302
    assert ada.post(url + "/cancel").status_code == 302  # twice changes nothing
    cancelled = fetch_meeting(app, meeting_id)
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.sequence == 1
    with app.app_context():
        kinds = [n.kind for n in get_session().scalars(select(Notification))]
        assert kinds == ["session_cancelled"]
    assert ada.post(url + "/prep", data={"wins": "x"}).status_code == 409
    assert ada.post(url, data={"start_date": future_day(), "start_time": "10:00",
                               "duration_minutes": "60", "version": "2"}).status_code == 409
    page = ada.get(url).get_data(as_text=True)
    assert "Cancelled" in page and "Save changes" not in page


def test_prep_notes_are_seen_by_both_until_the_session_is_logged(app: Flask,
                                                                 pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], starts_in=timedelta(minutes=-5))
    ada, grace = signed_in(app, pair["ada"]), signed_in(app, pair["grace"])
    url = sessions_url(pair, meeting_id)
    assert ada.post(url + "/prep", data={"wins": "Shipped the <i>parser</i>",
                                         "help_wanted": "Negotiating scope"}).status_code == 302
    assert grace.post(url + "/prep", data={"questions": "What is blocking you?"}).status_code == 302
    assert ada.post(url + "/prep", data={"wins": "Shipped the parser v2"}).status_code == 302
    for client in (ada, grace):
        page = client.get(url).get_data(as_text=True)
        assert "Shipped the parser v2" in page and "Negotiating scope" in page
        assert "What is blocking you?" in page
    with app.app_context():
        assert len(get_session().scalars(select(PrepNote)).all()) == 2
    too_long = ada.post(url + "/prep", data={"wins": "w" * 4001})
    assert too_long.status_code == 422 and "Use at most 4000 characters." in too_long.get_data(
        as_text=True)
    assert ada.post(url + "/log", data={"outcome": "completed", "owner": "mentee"}
                    ).status_code == 302
    assert grace.post(url + "/prep", data={"questions": "late"}).status_code == 409
    assert "Write your prep note" not in grace.get(url).get_data(as_text=True)


def test_logging_turns_next_steps_into_action_items_once(app: Flask,
                                                         pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], starts_in=timedelta(minutes=-30))
    grace, ada = signed_in(app, pair["grace"]), signed_in(app, pair["ada"])
    url = sessions_url(pair, meeting_id)
    check_in = future_day(14)
    done = grace.post(url + "/log", data={
        "outcome": "completed", "discussed": "Promotion path", "guidance": "Write a brag doc",
        "next_steps": "Draft the brag doc\nMentor: Send two example docs\n\n",
        "owner": "mentee", "due_on": future_day(7), "next_check_in": check_in})
    assert done.status_code == 302
    logged = fetch_meeting(app, meeting_id)
    assert logged.status == MeetingStatus.COMPLETED and logged.logged_by_id == pair["grace"]
    with app.app_context():
        items = get_session().scalars(select(ActionItem).order_by(ActionItem.id)).all()
        assert [(i.title, i.owner, i.goal_id, i.meeting_id) for i in items] == [
            ("Draft the brag doc", Role.MENTEE, None, meeting_id),
            ("Send two example docs", Role.MENTOR, None, meeting_id)]
        notice = get_session().scalars(select(Notification)).one()
        assert (notice.user_id, notice.kind) == (pair["ada"], "session_logged")
    page = ada.get(url).get_data(as_text=True)
    assert "Promotion path" in page and "Draft the brag doc" in page
    overview = ada.get(sessions_url(pair)).get_data(as_text=True)
    assert datetime.fromisoformat(check_in).strftime("%b %Y") in overview  # up next: check-in
    again = ada.post(url + "/log", data={"outcome": "completed", "owner": "mentee"})
    assert again.status_code == 409
    assert "already been logged" in again.get_data(as_text=True)
    edited = ada.post(url + "/log/edit", data={
        "outcome": "completed", "discussed": "Promotion path and scope", "owner": "mentee",
        "next_steps": "Draft the brag doc\nBook a room", "version": str(logged.version)})
    assert edited.status_code == 302
    with app.app_context():
        titles = get_session().scalars(select(ActionItem.title).order_by(ActionItem.id)).all()
        assert titles == ["Draft the brag doc", "Book a room"]
    stale = ada.post(url + "/log/edit", data={"outcome": "completed", "owner": "mentee",
                                              "version": str(logged.version)})
    assert stale.status_code == 409


def test_a_session_is_logged_from_its_start_and_never_when_cancelled(
        app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    future = sessions_url(pair, add_meeting(app, pair["pairing"]))
    early = ada.post(future + "/log", data={"outcome": "completed", "owner": "mentee"})
    assert early.status_code == 409 and "from its start time" in early.get_data(as_text=True)
    assert ada.post(future + "/missed").status_code == 409
    assert "Log the session" not in ada.get(future).get_data(as_text=True)
    cancelled = sessions_url(pair, add_meeting(app, pair["pairing"], starts_in=timedelta(
        hours=-2), status=MeetingStatus.CANCELLED))
    refused = ada.post(cancelled + "/log", data={"outcome": "completed", "owner": "mentee"})
    assert refused.status_code == 409 and "cancelled session" in refused.get_data(as_text=True)
    gone = add_meeting(app, pair["pairing"], starts_in=timedelta(hours=-2))
    assert ada.post(sessions_url(pair, gone) + "/missed").status_code == 302
    assert fetch_meeting(app, gone).status == MeetingStatus.MISSED
    bad = ada.post(sessions_url(pair, add_meeting(app, pair["pairing"], starts_in=timedelta(
        hours=-1))) + "/log", data={"outcome": "maybe", "owner": "boss", "next_check_in": "soon",
                                    "next_steps": "x" * 301})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Choose one of: completed, missed." in text and "Use a date like" in text


def test_a_logged_session_links_to_its_feedback(app: Flask, pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], starts_in=timedelta(hours=-2))
    ada = signed_in(app, pair["ada"])
    ada.post(sessions_url(pair, meeting_id) + "/log", data={"outcome": "completed",
                                                             "owner": "mentee"})
    page = ada.get(sessions_url(pair, meeting_id))
    feedback_url = sessions_url(pair, meeting_id) + "/feedback"
    assert page.status_code == 200 and f'href="{feedback_url}"' in page.get_data(as_text=True)


def test_an_ended_mentorship_keeps_its_sessions_readable_and_unchangeable(
        app: Flask, pair: dict[str, int]) -> None:
    planned = add_meeting(app, pair["pairing"], agenda="Keep me")
    started = add_meeting(app, pair["pairing"], starts_in=timedelta(hours=-1))

    def end(session: Any) -> None:
        session.get(Pairing, pair["pairing"]).status = PairingStatus.ENDED
    create(app, end)
    ada = signed_in(app, pair["ada"])
    form = {"start_date": future_day(), "start_time": "10:00", "duration_minutes": "60"}
    writes = [(sessions_url(pair), form), (sessions_url(pair, planned), form | {"version": "1"}),
              (sessions_url(pair, planned) + "/cancel", {}),
              (sessions_url(pair, planned) + "/prep", {"wins": "x"}),
              (sessions_url(pair, started) + "/log", {"outcome": "completed", "owner": "mentee"}),
              (sessions_url(pair, started) + "/missed", {})]
    for url, data in writes:
        assert ada.post(url, data=data).status_code == 409, url
    page = ada.get(sessions_url(pair, planned)).get_data(as_text=True)
    assert "Keep me" in page and "Save changes" not in page and "Schedule the session" not in \
        ada.get(sessions_url(pair)).get_data(as_text=True)
    with app.app_context():
        assert len(get_session().scalars(select(Meeting)).all()) == 2


def secret_session(app: Flask, pair: dict[str, int]) -> tuple[int, int]:
    """A planned and a logged session of pair A, full of text nobody else may read."""
    planned = add_meeting(app, pair["pairing"], location="Secret Cafe Zebra",
                          agenda="Secret agenda Zebra")
    logged = add_meeting(app, pair["pairing"], starts_in=timedelta(hours=-3),
                         status=MeetingStatus.COMPLETED, discussed="Secret discussion Zebra")

    def notes(session: Any) -> None:
        session.add(PrepNote(meeting_id=planned, author_id=pair["ada"], wins="Secret win Zebra"))
        session.add(ActionItem(pairing_id=pair["pairing"], meeting_id=logged,
                               title="Secret step Zebra", owner=Role.MENTEE))
    create(app, notes)
    return planned, logged


def many_sessions(app: Flask, pair: dict[str, int], n: int) -> None:
    """``n`` more sessions of every status, each with both prep notes and an action item."""
    def build(session: Any) -> None:
        now = utcnow()
        statuses = list(MeetingStatus)
        for i in range(n):
            meeting = Meeting(pairing_id=pair["pairing"], starts_at=now + timedelta(days=i - n // 2),
                              duration_minutes=30, status=statuses[i % len(statuses)],
                              location=f"Room {i}")
            session.add(meeting)
            session.flush()
            for author in (pair["ada"], pair["grace"]):
                session.add(PrepNote(meeting_id=meeting.id, author_id=author, wins=f"win {i}"))
            session.add(ActionItem(pairing_id=pair["pairing"], meeting_id=meeting.id,
                                   title=f"step {i}", owner=Role.MENTEE))
    create(app, build)


def test_a_missed_session_keeps_the_check_in_in_force(app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    first = add_meeting(app, pair["pairing"], starts_in=timedelta(days=-3))
    check_in = future_day(10)
    ada.post(sessions_url(pair, first) + "/log", data={"outcome": "completed", "owner": "mentee",
                                                       "next_check_in": check_in})
    second = add_meeting(app, pair["pairing"], starts_in=timedelta(hours=-2))
    assert ada.post(sessions_url(pair, second) + "/missed").status_code == 302
    assert str(fetch_meeting(app, second).next_check_in) == check_in
    with app.app_context():
        assert [n.kind for n in get_session().scalars(select(Notification))] == [
            "session_logged", "session_logged"]


def test_a_past_session_not_yet_logged_asks_to_be_logged(app: Flask,
                                                         pair: dict[str, int]) -> None:
    add_meeting(app, pair["pairing"], starts_in=timedelta(days=-1))
    page = signed_in(app, pair["grace"]).get(sessions_url(pair)).get_data(as_text=True)
    assert "To log" in page and "prep notes: yours not yet, Ada Lovelace's not yet" in page
