"""Matching rounds under concurrent requests against a real threaded server."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import Counter
from typing import Any
from urllib.error import HTTPError

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    Enrolment,
    MatchRound,
    Notification,
    Pairing,
    PairingSource,
    Program,
    RoundStatus,
)
from mentorship.services import matches, round_runs, round_solve, rounds
from mentorship.services.pairings import create_pairing
from tests.api.helpers import bearer
from tests.factories import create, login, make_enrolment, make_user
from tests.round_cohort import make_cohort
from tests.test_races import NoRedirect


@pytest.fixture
def cohort(file_app: Flask) -> dict[str, int]:
    return make_cohort(file_app)


def cookie_of(app: Flask, user_id: int) -> str:
    client = app.test_client()
    login(app, client, user_id)
    return f"session={client.get_cookie('session').value}"


def send_together(requests: list[urllib.request.Request]) -> tuple[Counter[int], list[Any]]:
    """Send the requests from one thread each, released at once; statuses and bodies."""
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send(request: urllib.request.Request) -> None:
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                answer = (response.status, response.read())
        except HTTPError as exc:
            answer = (exc.code, exc.read())
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return Counter(status for status, _ in answers), [body for _, body in answers]


def slow_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each run take a while, so two runs surely overlap (the server shares this process)."""
    solve = round_solve.solve_round

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)
        return solve(*args, **kwargs)
    monkeypatch.setattr(round_solve, "solve_round", slowly)


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))


def test_two_runs_at_once_from_the_page_one_runs_one_is_409(
        file_app: Flask, server: str, cohort: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    slow_engine(monkeypatch)
    cookie = cookie_of(file_app, cohort["admin"])
    url = f"{server}/admin/programs/{cohort['program']}/matching"
    body = b"objective=score&min_score=&equity=0&group_by=language"
    statuses, bodies = send_together([urllib.request.Request(
        url, data=body, headers={"Cookie": cookie}) for _ in range(2)])
    assert statuses == Counter({302: 1, 409: 1})
    assert any(b"A round of this program is running" in b for b in bodies)
    assert count(file_app, MatchRound) == 1
    assert count(file_app, MatchRound, MatchRound.status == RoundStatus.DRAFT) == 1


def test_two_runs_at_once_through_the_api_one_201_one_409(
        file_app: Flask, server: str, cohort: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    slow_engine(monkeypatch)
    auth = bearer(file_app, cohort["admin"])
    statuses, _ = send_together([urllib.request.Request(
        f"{server}/api/v1/programs/{cohort['program']}/rounds", data=b"{}", method="POST",
        headers=auth | {"Content-Type": "application/json"}) for _ in range(2)])
    assert statuses == Counter({201: 1, 409: 1})


def draft(app: Flask, program_id: int) -> int:
    """A round of the program run to its draft through the service."""
    with app.app_context():
        db = get_session()
        round_ = rounds.start_round(db, db.get(Program, program_id), {}, None)
        db.commit()
        return round_runs.run_round(db, round_.id, matches.MatcherCache()).id


def test_publishing_twice_at_once_publishes_once(file_app: Flask, server: str,
                                                 cohort: dict[str, int]) -> None:
    round_id = draft(file_app, cohort["program"])
    cookie = cookie_of(file_app, cohort["admin"])
    statuses, _ = send_together([urllib.request.Request(
        f"{server}/admin/rounds/{round_id}/publish", data=b"", headers={"Cookie": cookie})
        for _ in range(4)])
    assert statuses == Counter({302: 1, 409: 3})
    assert count(file_app, Pairing) == 4
    assert count(file_app, Notification) == 8
    with file_app.app_context():
        assert get_session().get(Enrolment, cohort["Grace"]).seats_taken == 2


def test_publish_after_a_conflicting_acceptance_is_409_and_changes_nothing(
        file_app: Flask, server: str, cohort: dict[str, int]) -> None:
    round_id = draft(file_app, cohort["program"])

    def fill_grace(session: Any) -> None:  # two requests accepted since the run
        grace = session.get(Enrolment, cohort["Grace"])
        for name in ("Zoe", "Yan"):
            mentee = make_enrolment(session, make_user(session, name=name), grace.program)
            create_pairing(session, mentee, grace, source=PairingSource.REQUEST)
    create(file_app, fill_grace)
    auth = bearer(file_app, cohort["admin"])
    statuses, bodies = send_together([urllib.request.Request(
        f"{server}/api/v1/rounds/{round_id}/publish", data=b"", method="POST", headers=auth)])
    assert statuses == Counter({409: 1})
    message = json.loads(bodies[0])["error"]["message"]
    assert "Ada – Grace" in message and "Bea – Grace" in message and "Cy – Linus" not in message
    assert count(file_app, Pairing) == 2  # only the two made directly
    assert count(file_app, Notification) == 0
    assert count(file_app, MatchRound, MatchRound.status == RoundStatus.DRAFT) == 1
