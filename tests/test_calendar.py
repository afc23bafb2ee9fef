"""Calendar files: one session's .ics and the private feed, each parsed back as a calendar
app would read it."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import CalendarFeed, Meeting, MeetingStatus, utcnow
from tests.factories import create, signed_in
from tests.helpers import count_queries
from tests.test_meetings import add_meeting, fetch_meeting, pair, sessions_url

__all__ = ["pair"]  # the fixture, shared with the session pages' tests
ICS = "text/calendar; charset=utf-8"


def events(body: bytes) -> dict[str, Any]:
    """The VEVENTs of a served file by UID, after parsing it back."""
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_a_sessions_ics_carries_its_plan_in_utc(app: Flask, pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], location="https://meet.example/x",
                             agenda="Since last time:\nNext steps:")
    meeting = fetch_meeting(app, meeting_id)
    for who, partner in (("ada", "Grace Hopper"), ("grace", "Ada Lovelace")):
        response = signed_in(app, pair[who]).get(sessions_url(pair, meeting_id) + ".ics")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == ICS
        assert "attachment" in response.headers["Content-Disposition"]
        event = events(response.data)[f"meeting-{meeting_id}@localhost"]
        assert event.decoded("DTSTART") == meeting.starts_at.replace(tzinfo=UTC)
        assert event.decoded("DTEND") == meeting.starts_at.replace(tzinfo=UTC) + timedelta(hours=1)
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert str(event["SUMMARY"]) == f"Mentoring session with {partner}"
        assert str(event["LOCATION"]) == "https://meet.example/x"
        assert str(event["DESCRIPTION"]) == "Since last time:\nNext steps:"
        assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
        assert b"DTSTART:" in response.data and b"Z\r\n" in response.data  # UTC, no TZID


def test_a_change_and_a_cancellation_keep_the_uid_and_bump_the_sequence(
        app: Flask, pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"])
    ada = signed_in(app, pair["ada"])
    url = sessions_url(pair, meeting_id)
    uid = f"meeting-{meeting_id}@localhost"
    day = (fetch_meeting(app, meeting_id).starts_at + timedelta(days=1)).date().isoformat()
    ada.post(url, data={"start_date": day, "start_time": "08:00", "duration_minutes": "30",
                        "location": "Room 2", "agenda": "", "version": "1"})
    changed = events(ada.get(url + ".ics").data)[uid]
    assert int(changed["SEQUENCE"]) == 1 and str(changed["LOCATION"]) == "Room 2"
    assert "DESCRIPTION" not in changed
    assert ada.post(url, data={"start_date": day, "start_time": "08:00", "duration_minutes": "30",
                               "location": "Room 2", "agenda": "", "version": "2"}
                    ).status_code == 302  # nothing a calendar shows changed
    assert int(events(ada.get(url + ".ics").data)[uid]["SEQUENCE"]) == 1
    ada.post(url + "/cancel")
    cancelled = events(ada.get(url + ".ics").data)[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2


def make_feed(app: Flask, client: Any) -> str:
    page = client.post("/account/calendar")
    assert page.status_code == 200
    found = re.search(r'value="(http://localhost/calendar/[^"]+\.ics)"', page.get_data(as_text=True))
    assert found, "the new URL is shown"
    return found[1].removeprefix("http://localhost")


def test_the_feed_lists_every_session_of_the_person_without_sign_in(
        app: Flask, pair: dict[str, int]) -> None:
    upcoming = add_meeting(app, pair["pairing"], agenda="Upcoming one")
    recent = add_meeting(app, pair["pairing"], starts_in=timedelta(days=-10),
                         status=MeetingStatus.COMPLETED)
    cancelled = add_meeting(app, pair["pairing"], starts_in=timedelta(days=5),
                            status=MeetingStatus.CANCELLED, sequence=3)
    add_meeting(app, pair["pairing"], starts_in=timedelta(days=-200))  # too old for the feed
    theirs = add_meeting(app, pair["other_pairing"], agenda="Not Ada's")
    ada = signed_in(app, pair["ada"])
    url = make_feed(app, ada)
    with app.app_context():
        stored = get_session().scalars(select(CalendarFeed)).one()
        assert url.split("/")[-1].removesuffix(".ics") not in stored.token_hash
        assert len(stored.token_hash) == 64
    assert "shown only this once" not in ada.get("/account/calendar").get_data(as_text=True)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == ICS
    found = events(response.data)
    assert set(found) == {f"meeting-{m}@localhost" for m in (upcoming, recent, cancelled)}
    assert f"meeting-{theirs}@localhost" not in found
    gone = found[f"meeting-{cancelled}@localhost"]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 3
    assert str(found[f"meeting-{upcoming}@localhost"]["SUMMARY"]) == \
        "Mentoring session with Grace Hopper"
    grace_url = make_feed(app, signed_in(app, pair["grace"]))
    assert str(events(anonymous.get(grace_url).data)[f"meeting-{upcoming}@localhost"]["SUMMARY"]) \
        == "Mentoring session with Ada Lovelace"


def test_a_revoked_replaced_or_wrong_secret_finds_nothing(app: Flask,
                                                          pair: dict[str, int]) -> None:
    add_meeting(app, pair["pairing"], agenda="Private agenda Zebra")
    ada = signed_in(app, pair["ada"])
    anonymous = app.test_client()
    first = make_feed(app, ada)
    second = make_feed(app, ada)
    assert anonymous.get(first).status_code == 404  # a new URL replaces the old
    assert anonymous.get(second).status_code == 200
    for wrong in ("/calendar/x.ics", "/calendar/" + "a" * 200 + ".ics", second[:-5] + "b.ics",
                  second.replace(".ics", "")):
        response = anonymous.get(wrong)
        assert response.status_code == 404, wrong
        assert b"Zebra" not in response.data and b"BEGIN:VCALENDAR" not in response.data
    assert ada.post("/account/calendar/revoke").status_code == 302
    revoked = anonymous.get(second)
    assert revoked.status_code == 404 and b"Zebra" not in revoked.data
    with app.app_context():
        assert get_session().scalars(select(CalendarFeed)).first() is None
    assert "You have no feed URL." in ada.get("/account/calendar").get_data(as_text=True)


def test_the_feed_reads_the_same_number_of_queries_for_any_number_of_sessions(
        app: Flask, pair: dict[str, int]) -> None:
    url = make_feed(app, signed_in(app, pair["ada"]))
    anonymous = app.test_client()
    counts = []
    for n in (1, 30):
        def build(session: Any, n: int = n) -> None:
            for i in range(n):
                add = Meeting(pairing_id=pair["pairing"], duration_minutes=45,
                              starts_at=utcnow() + timedelta(hours=i))
                session.add(add)
        create(app, build)
        with count_queries(app) as queries:
            response = anonymous.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(events(response.data)) == 31
