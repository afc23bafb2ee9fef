"""Sessions in the JSON API: the same rules as the pages, in the documented shapes."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import (
    ActionItem,
    Meeting,
    MeetingStatus,
    Notification,
    Pairing,
    PairingStatus,
    utcnow,
)
from tests.api.helpers import bearer, count
from tests.factories import create
from tests.helpers import count_queries
from tests.test_meetings import add_meeting, fetch_meeting, many_sessions, pair, secret_session

__all__ = ["pair"]


def base(pair: dict[str, int]) -> str:
    return f"/api/v1/pairings/{pair['pairing']}/sessions"


def when(days: int = 3) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


def test_schedule_in_utc_or_in_your_own_zone_and_read_back(app: Flask, client: FlaskClient,
                                                            pair: dict[str, int]) -> None:
    ada = bearer(app, pair["ada"])
    year = utcnow().year + 1
    made = client.post(base(pair), headers=ada, json={
        "starts_at": f"{year}-06-01T14:00:42.5+02:00", "duration_minutes": 45, "location": "Zoom"})
    assert made.status_code == 201
    assert made.headers["Location"].endswith(f"{base(pair)}/{made.json['id']}")
    assert made.headers["ETag"] == '"1"'
    assert made.json["starts_at"] == f"{year}-06-01T12:00:00Z"
    assert made.json["ends_at"] == f"{year}-06-01T12:45:00Z"
    assert made.json["prep_notes"] == {"mentee": None, "mentor": None}
    assert made.json["status"] == "scheduled" and made.json["sequence"] == 0
    # No offset: Ada's own zone, New York (EDT in June, UTC-4).
    local = client.post(base(pair), headers=ada, json={"starts_at": f"{year}-06-02T09:00:00",
                                                       "duration_minutes": 30})
    assert local.json["starts_at"] == f"{year}-06-02T13:00:00Z"
    listed = client.get(base(pair), headers=bearer(app, pair["grace"]))
    assert [s["id"] for s in listed.json["sessions"]] == [local.json["id"], made.json["id"]]
    assert count(app, Notification, Notification.kind == "session_scheduled") == 2


def test_bad_input_is_named_per_field(app: Flask, client: FlaskClient,
                                      pair: dict[str, int]) -> None:
    ada = bearer(app, pair["ada"])
    bad = client.post(base(pair), headers=ada, json={
        "starts_at": "tomorrow", "duration_minutes": 1000, "location": 5, "color": "red"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"color"}
    bad = client.post(base(pair), headers=ada, json={
        "starts_at": "tomorrow", "duration_minutes": 1000, "location": 5})
    assert bad.json["error"]["fields"] == {
        "starts_at": "Use a date-time like 2027-01-31T14:30:00Z.",
        "duration_minutes": "Must be between 15 and 480.", "location": "Must be text."}
    missing = client.post(base(pair), headers=ada, json={})
    assert missing.json["error"]["fields"] == {"starts_at": "This field is required."}
    past = client.post(base(pair), headers=ada, json={"starts_at": "2020-01-01T10:00:00Z",
                                                      "duration_minutes": 60})
    assert past.json["error"]["fields"] == {"starts_at": "Choose a time from now on."}
    assert count(app, Meeting) == 0


def test_patch_is_conditional_and_bumps_the_sequence(app: Flask, client: FlaskClient,
                                                     pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"])
    grace = bearer(app, pair["grace"])
    url = f"{base(pair)}/{meeting_id}"
    got = client.get(url, headers=grace)
    assert got.headers["ETag"] == '"1"'
    changed = client.patch(url, headers=grace | {"If-Match": '"1"'},
                           json={"starts_at": when(5), "agenda": "Moved"})
    assert changed.status_code == 200
    assert changed.json["sequence"] == 1 and changed.json["version"] == 2
    stale = client.patch(url, headers=grace, json={"agenda": "Mine", "version": 1})
    assert stale.status_code == 409 and stale.json["error"]["fields"] == {
        "agenda": "Saved meanwhile as: Moved"}
    unchanged = client.patch(url, headers=grace, json={"agenda": "Moved"})
    assert unchanged.json["sequence"] == 1  # nothing a calendar shows changed
    cancelled = client.post(f"{url}/cancel", headers=grace)
    assert cancelled.json["status"] == "cancelled" and cancelled.json["sequence"] == 2
    assert client.patch(url, headers=grace, json={"agenda": "x"}).status_code == 409
    assert client.post(f"{url}/log", headers=grace, json={}).status_code == 409


def test_log_once_then_edit_and_prep_notes_close(app: Flask, client: FlaskClient,
                                                 pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], starts_in=timedelta(minutes=-1))
    ada, grace = bearer(app, pair["ada"]), bearer(app, pair["grace"])
    url = f"{base(pair)}/{meeting_id}"
    note = client.put(f"{url}/prep", headers=ada, json={"wins": "Gave a talk"})
    assert note.status_code == 200 and note.json["wins"] == "Gave a talk"
    client.put(f"{url}/prep", headers=grace, json={"questions": "How did it land?"})
    both = client.get(url, headers=ada).json["prep_notes"]
    assert both["mentee"]["wins"] == "Gave a talk"
    assert both["mentor"]["questions"] == "How did it land?"
    logged = client.post(f"{url}/log", headers=ada, json={
        "discussed": "The talk", "next_steps": "Write it up\nMentor: Share the recording",
        "next_check_in": (utcnow() + timedelta(days=14)).date().isoformat()})
    assert logged.status_code == 200 and logged.json["status"] == "completed"
    assert logged.json["version"] == 2 and logged.headers["ETag"] == '"2"'
    assert [(i["title"], i["owner"]) for i in logged.json["action_items"]] == [
        ("Write it up", "mentee"), ("Share the recording", "mentor")]
    again = client.post(f"{url}/log", headers=grace, json={"discussed": "Other"})
    assert again.status_code == 409
    assert client.put(f"{url}/prep", headers=grace, json={"wins": "late"}).status_code == 409
    edited = client.patch(f"{url}/log", headers=grace | {"If-Match": f'"{logged.json["version"]}"'},
                          json={"discussed": "The talk, and next year", "outcome": "completed"})
    assert edited.status_code == 200 and edited.json["discussed"] == "The talk, and next year"
    assert edited.json["version"] == 3
    assert [i["title"] for i in edited.json["action_items"]] == []  # the steps were cleared
    assert count(app, ActionItem) == 0


def test_ics_and_feed_url_through_the_api(app: Flask, client: FlaskClient,
                                          pair: dict[str, int]) -> None:
    meeting_id = add_meeting(app, pair["pairing"], location="Room 9")
    ada = bearer(app, pair["ada"])
    ics = client.get(f"/api/v1/sessions/{meeting_id}.ics", headers=ada)
    assert ics.status_code == 200 and ics.headers["Content-Type"] == "text/calendar; charset=utf-8"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["UID"]) == f"meeting-{meeting_id}@localhost"
    assert event.decoded("DTSTART") == fetch_meeting(app, meeting_id).starts_at.replace(tzinfo=UTC)
    assert str(event["LOCATION"]) == "Room 9"
    assert client.get("/api/v1/me/calendar-feed", headers=ada).json == {
        "exists": False, "created_at": None, "url": None}
    made = client.post("/api/v1/me/calendar-feed", headers=ada)
    assert made.status_code == 201 and made.json["url"].startswith("http://localhost/calendar/")
    feed = client.get(made.json["url"].removeprefix("http://localhost"))
    assert feed.status_code == 200 and b"Room 9" in feed.data
    shown = client.get("/api/v1/me/calendar-feed", headers=ada).json
    assert shown["exists"] is True and shown["url"] is None
    assert client.delete("/api/v1/me/calendar-feed", headers=ada).status_code == 204
    assert client.get(made.json["url"].removeprefix("http://localhost")).status_code == 404


@pytest.mark.parametrize("who", ["other_mentor", "admin", "stranger"])
def test_every_session_path_of_a_pair_is_404_for_anyone_else(
        app: Flask, client: FlaskClient, pair: dict[str, int], who: str) -> None:
    planned, logged = secret_session(app, pair)
    headers = bearer(app, pair[who])
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("get", base(pair), None), ("post", base(pair), {"starts_at": when(),
                                                         "duration_minutes": 60}),
        ("get", f"{base(pair)}/{planned}", None),
        ("patch", f"{base(pair)}/{planned}", {"agenda": "x"}),
        ("post", f"{base(pair)}/{planned}/cancel", None),
        ("put", f"{base(pair)}/{planned}/prep", {"wins": "x"}),
        ("post", f"{base(pair)}/{logged}/log", {}),
        ("patch", f"{base(pair)}/{logged}/log", {}),
        ("get", f"/api/v1/sessions/{planned}.ics", None),
        ("get", f"/api/v1/sessions/{logged}.ics", None),
        ("get", f"/api/v1/pairings/{pair['other_pairing']}/sessions/{planned}", None),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, headers=headers, json=body)
        assert response.status_code == 404, (method, url)
        assert b"Zebra" not in response.data
    with app.app_context():
        assert get_session().get(Meeting, planned).status == MeetingStatus.SCHEDULED
        assert len(get_session().scalars(select(Meeting)).all()) == 2


def test_answers_have_exactly_the_documented_fields(app: Flask, client: FlaskClient,
                                                    pair: dict[str, int]) -> None:
    secret_session(app, pair)
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    listed = client.get(base(pair), headers=bearer(app, pair["ada"])).json
    for item in listed["sessions"]:
        assert set(item) == set(schemas["Session"]["properties"])
        for note in item["prep_notes"].values():
            assert note is None or set(note) == set(schemas["PrepNote"]["properties"])
    assert set(client.get("/api/v1/me/calendar-feed", headers=bearer(app, pair["ada"])).json) \
        == set(schemas["CalendarFeed"]["properties"])


def test_the_list_reads_the_same_number_of_queries_for_any_number_of_sessions(
        app: Flask, client: FlaskClient, pair: dict[str, int]) -> None:
    ada = bearer(app, pair["ada"])
    counts = []
    for n in (2, 30):
        many_sessions(app, pair, n)
        with count_queries(app) as queries:
            assert client.get(base(pair), headers=ada).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_writes_to_an_ended_mentorship_are_409(app: Flask, client: FlaskClient,
                                               pair: dict[str, int]) -> None:
    planned = add_meeting(app, pair["pairing"])
    create(app, lambda s: setattr(s.get(Pairing, pair["pairing"]), "status", PairingStatus.ENDED))
    ada = bearer(app, pair["ada"])
    assert client.get(f"{base(pair)}/{planned}", headers=ada).status_code == 200
    for method, url, body in (("post", base(pair), {"starts_at": when(), "duration_minutes": 60}),
                              ("patch", f"{base(pair)}/{planned}", {"agenda": "x"}),
                              ("post", f"{base(pair)}/{planned}/cancel", None),
                              ("put", f"{base(pair)}/{planned}/prep", {"wins": "x"})):
        assert getattr(client, method)(url, headers=ada, json=body).status_code == 409, url
