"""Simultaneous clicks on match requests against a real threaded server: the database decides.

The data is made directly with factories; only the racing requests go over HTTP, from
threads released together by a barrier. On SQLite writers queue (BEGIN IMMEDIATE); on
PostgreSQL row locks and conditional updates keep the rules.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections import Counter
from typing import Any
from urllib.error import HTTPError

from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import Enrolment, MatchRequest, Pairing, PairingStatus, RequestStatus
from tests.api.helpers import bearer
from tests.factories import create, make_program
from tests.flows import mentee, mentor, pending

THREADS = 10
ROUNDS = 20


def post_at_once(calls: list[tuple[str, dict[str, str], dict[str, Any] | None]]
                 ) -> list[tuple[int, dict[str, Any]]]:
    """POST each (url, headers, JSON body) from its own thread, all released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def send(url: str, headers: dict[str, str], body: dict[str, Any] | None) -> None:
        request = urllib.request.Request(url, method="POST", data=json.dumps(body or {}).encode(),
                                         headers=headers | {"Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = (response.status, json.load(response))
        except HTTPError as exc:
            answer = (exc.code, json.load(exc))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == len(calls), "a request did not finish"
    return answers


def test_ten_accepts_for_two_seats_make_exactly_two_pairings(file_app: Flask,
                                                             server: str) -> None:
    for _ in range(ROUNDS):
        def build(session: Any) -> tuple[int, int, list[int]]:
            program = make_program(session)
            grace = mentor(session, program, "Grace", capacity=2)
            asks = [pending(session, mentee(session, program, f"Mentee {i}"), grace).id
                    for i in range(THREADS)]
            return grace.id, grace.user_id, asks
        grace_id, grace_user, asks = create(file_app, build)
        auth = bearer(file_app, grace_user)
        answers = post_at_once([(f"{server}/api/v1/match-requests/{i}/accept", auth, None)
                                for i in asks])
        statuses = Counter(status for status, _ in answers)
        assert statuses == Counter({201: 2, 409: THREADS - 2}), answers
        for status, body in answers:
            if status == 409:
                message = body["error"]["message"]
                assert "no free mentee seat" in message or "no longer waiting" in message, message
        with file_app.app_context():
            session = get_session()
            assert session.get(Enrolment, grace_id).seats_taken == 2
            assert session.scalar(select(func.count()).select_from(Pairing).where(
                Pairing.mentor_enrolment_id == grace_id,
                Pairing.status == PairingStatus.ACTIVE)) == 2
            left = Counter(session.scalars(select(MatchRequest.status).where(
                MatchRequest.mentor_enrolment_id == grace_id)))
            assert left == Counter({RequestStatus.ACCEPTED: 2, RequestStatus.DECLINED: 8})


def test_requests_at_the_pending_limit_never_exceed_it(file_app: Flask, server: str) -> None:
    for limit in (1, 3):
        def build(session: Any, limit: int = limit) -> tuple[int, int, list[int]]:
            program = make_program(session, max_pending_requests=limit)
            ada = mentee(session, program, "Ada")
            mentors = [mentor(session, program, f"Mentor {i}").id for i in range(THREADS)]
            return ada.id, ada.user_id, mentors
        ada_id, ada_user, mentors = create(file_app, build)
        auth = bearer(file_app, ada_user)
        answers = post_at_once([(f"{server}/api/v1/match-requests", auth,
                                 {"mentor_enrolment_id": m, "message": "Hi"}) for m in mentors])
        assert Counter(s for s, _ in answers) == Counter({201: limit, 409: THREADS - limit})
        assert all("waiting for an answer, the most" in body["error"]["message"]
                   for status, body in answers if status == 409)
        with file_app.app_context():
            assert get_session().scalar(select(func.count()).select_from(MatchRequest).where(
                MatchRequest.mentee_enrolment_id == ada_id)) == limit


def test_simultaneous_duplicate_requests_store_one(file_app: Flask, server: str) -> None:
    def build(session: Any) -> tuple[int, int, int]:
        program = make_program(session, max_pending_requests=10)
        ada = mentee(session, program, "Ada")
        return ada.id, ada.user_id, mentor(session, program, "Grace").id
    ada_id, ada_user, grace = create(file_app, build)
    auth = bearer(file_app, ada_user)
    answers = post_at_once([(f"{server}/api/v1/match-requests", auth,
                             {"mentor_enrolment_id": grace})] * THREADS)
    assert Counter(s for s, _ in answers) == Counter({201: 1, 409: THREADS - 1})
    assert all("already asked Grace" in body["error"]["message"]
               for status, body in answers if status == 409)
    with file_app.app_context():
        assert get_session().scalar(select(func.count()).select_from(MatchRequest).where(
            MatchRequest.mentee_enrolment_id == ada_id)) == 1


def test_mentors_accepting_crossing_requests_at_once_all_succeed(file_app: Flask,
                                                                 server: str) -> None:
    """Every mentee asked every mentor (one seat each); each mentor accepts a different
    mentee at the same moment. Each accept cancels its mentee's other requests and
    declines its mentor's others, so the transactions touch each other's rows: they
    must queue in one order, never deadlock into a 503."""
    size = 6
    for _ in range(ROUNDS // 4):
        def build(session: Any) -> list[tuple[int, int]]:
            program = make_program(session)
            mentors = [mentor(session, program, f"Mentor {i}", capacity=1) for i in range(size)]
            mentees = [mentee(session, program, f"Mentee {i}") for i in range(size)]
            asks = {(a, b): pending(session, mentees[a], mentors[b]).id
                    for a in range(size) for b in range(size)}
            return [(mentors[i].user_id, asks[(i, i)]) for i in range(size)]
        accepts = create(file_app, build)
        answers = post_at_once([(f"{server}/api/v1/match-requests/{ask}/accept",
                                 bearer(file_app, user), None) for user, ask in accepts])
        assert Counter(status for status, _ in answers) == Counter({201: size}), answers
