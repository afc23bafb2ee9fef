"""Sessions are the pair's alone: every URL of pair A is 404 for anyone else, admins too,
and none of its text leaks; forms need their CSRF token; query counts stay flat."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import Meeting, MeetingStatus, PrepNote, utcnow
from tests.factories import create, make_program
from tests.flows import mentee, mentor, paired
from tests.helpers import count_queries
from tests.test_meetings import (
    add_meeting,
    future_day,
    many_sessions,
    pair,
    secret_session,
    sessions_url,
    signed_in,
)

__all__ = ["pair"]  # the fixture, shared with the session pages' tests


@pytest.mark.parametrize("who", ["other_mentor", "admin", "stranger"])
def test_every_session_url_of_a_pair_is_404_for_anyone_else(app: Flask, pair: dict[str, int],
                                                            who: str) -> None:
    planned, logged = secret_session(app, pair)
    client = signed_in(app, pair[who])
    form = {"start_date": future_day(), "start_time": "10:00", "duration_minutes": "60",
            "version": "1", "wins": "x", "outcome": "completed", "owner": "mentee"}
    gets = [sessions_url(pair)] + [sessions_url(pair, m) + suffix for m in (planned, logged)
                                   for suffix in ("", ".ics")]
    posts = [sessions_url(pair), sessions_url(pair, planned), sessions_url(pair, planned)
             + "/cancel", sessions_url(pair, planned) + "/prep", sessions_url(pair, logged)
             + "/log", sessions_url(pair, logged) + "/log/edit",
             sessions_url(pair, planned) + "/missed"]
    other = f"/pairings/{pair['other_pairing']}/sessions/{planned}"
    for url in gets + [other, other + ".ics"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Zebra" not in response.get_data(as_text=True)
    for url in posts:
        assert client.post(url, data=form).status_code == 404, url
    assert "Zebra" not in client.get("/account/calendar").get_data(as_text=True)
    with app.app_context():
        assert get_session().get(Meeting, planned).status == MeetingStatus.SCHEDULED
        assert len(get_session().scalars(select(Meeting)).all()) == 2
        assert len(get_session().scalars(select(PrepNote)).all()) == 1


def test_a_session_of_one_pair_is_404_under_the_other_pairs_url(app: Flask,
                                                                pair: dict[str, int]) -> None:
    planned, _ = secret_session(app, pair)
    mary = signed_in(app, pair["other_mentor"])
    own = f"/pairings/{pair['other_pairing']}/sessions"
    assert mary.get(own).status_code == 200
    for url in (f"{own}/{planned}", f"{own}/{planned}.ics"):
        assert mary.get(url).status_code == 404
    assert mary.post(f"{own}/{planned}/cancel").status_code == 404


def test_query_counts_do_not_grow_with_sessions_and_notes(app: Flask,
                                                          pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    first = add_meeting(app, pair["pairing"])
    counts = []
    for n in (2, 40):
        many_sessions(app, pair, n)
        with count_queries(app) as index:
            assert ada.get(sessions_url(pair)).status_code == 200
        with count_queries(app) as detail:
            assert ada.get(sessions_url(pair, first)).status_code == 200
        with count_queries(app) as feed_page:
            assert ada.get("/account/calendar").status_code == 200
        counts.append((len(index), len(detail), len(feed_page)))
    assert counts[0] == counts[1]


def test_every_session_form_needs_its_csrf_token(csrf_app: Flask) -> None:
    def build(session: Any) -> tuple[int, int, int]:
        program = make_program(session)
        pairing = paired(session, mentee(session, program, "Ada"), mentor(session, program, "Grace"))
        meeting = Meeting(pairing_id=pairing.id, starts_at=utcnow() - timedelta(hours=1),
                          duration_minutes=60)
        session.add(meeting)
        session.flush()
        return pairing.id, meeting.id, pairing.mentee.user_id
    pairing_id, meeting_id, ada = create(csrf_app, build)
    client = signed_in(csrf_app, ada)
    url = f"/pairings/{pairing_id}/sessions/{meeting_id}"
    for action in ("", "/cancel", "/prep", "/log", "/missed"):
        assert client.post(url + action, data={"wins": "x"}).status_code == 400, action
    assert client.post("/account/calendar").status_code == 400
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    assert client.post(url + "/prep", data={"wins": "Ready", "csrf_token": token[1]}
                       ).status_code == 302
