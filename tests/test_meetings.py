"""Sessions of a pair: scheduling in each viewer's time zone, prep notes, logging, the
rules of their statuses, privacy, and query counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
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
from tests.factories import create, login, make_program, make_user
from tests.flows import mentee, mentor, paired, person
from tests.helpers import count_queries


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


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    login(app, client, user_id)
    return client


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
