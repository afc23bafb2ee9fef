"""Finding a mentor and match requests: suggestions, sending, answering, expiring."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import (
    DeclineReason,
    Enrolment,
    MatchRequest,
    Notification,
    Pairing,
    PairingStatus,
    Program,
    ProgramStatus,
    RequestStatus,
    User,
    utcnow,
)
from mentorship.services import pairings, requests, suggestions
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from tests.factories import create, login, make_program
from tests.flows import mentee, mentor, paired, pending, person


@pytest.fixture
def cohort(app: Flask) -> dict[str, int]:
    """One mentee (Ada, in Berlin) and mentors that each test one rule."""
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, max_pending_requests=2, request_expiry_days=5)
        ada = mentee(session, program, "Ada")
        ids = {"program": program.id, "ada": ada.id, "ada_user": ada.user_id}
        ids["grace"] = mentor(session, program, "Grace", headline="Staff engineer",
                              expertise=("python", "system design")).id
        ids["linus"] = mentor(session, program, "Linus", expertise=("kernel", "python"),
                              languages=("en", "fi"), timezone="Europe/Helsinki").id
        ids["tokyo"] = mentor(session, program, "Yuki", timezone="Asia/Tokyo").id
        ids["paused"] = mentor(session, program, "Pat", paused=True).id
        ids["self"] = mentor(session, program, "Ada", user=session.get(User, ada.user_id)).id
        ids["nolang"] = mentor(session, program, "Hans", languages=("de",)).id
        return ids
    return create(app, build)


def search(app: Flask, cohort: dict[str, int], **filters: Any) -> suggestions.MentorSearch:
    with app.app_context():
        session = get_session()
        return suggestions.find_mentors(
            session, session.get(Program, cohort["program"]),
            session.get(User, cohort["ada_user"]), suggestions.Filters(**filters),
            current_app.extensions["matcher_cache"])


def names(found: suggestions.MentorSearch) -> list[str]:
    return [s.mentor.user.name for s in found.suggestions]


def send(app: Flask, user_id: int, mentor_id: int, message: str = "Hello") -> int:
    with app.app_context():
        session = get_session()
        item = requests.send_request(session, session.get(User, user_id), mentor_id,
                                     {"message": message}, current_app.extensions["matcher_cache"])
        session.commit()
        return item.id


def test_suggestions_leave_out_self_paused_and_unmatchable_mentors(
        app: Flask, cohort: dict[str, int]) -> None:
    found = search(app, cohort, limit=10)
    assert set(names(found)) == {"Grace", "Linus", "Yuki"}  # not Ada, Pat, or Hans (German)
    grace = next(s for s in found.suggestions if s.mentor.user.name == "Grace")
    assert 0 < grace.percent <= 100 and grace.reasons
    assert grace.timezone_gap == 0 and grace.free_seats == 2
    assert [s.score for s in found.suggestions] == sorted((s.score for s in found.suggestions),
                                                          reverse=True)
    assert dict(found.languages)["fi"] == "Finnish" and "kernel" in found.expertise


def test_requested_full_and_formerly_paired_mentors_are_not_suggested(
        app: Flask, cohort: dict[str, int]) -> None:
    def arrange(session: Any) -> None:
        ada = session.get(Enrolment, cohort["ada"])
        pending(session, ada, session.get(Enrolment, cohort["grace"]))
        pairing = paired(session, ada, session.get(Enrolment, cohort["linus"]))
        pairings.end_pairing(session, pairing, ada.user, "not_a_good_fit")
        yuki = session.get(Enrolment, cohort["tokyo"])
        yuki.seats_taken = yuki.capacity
    create(app, arrange)
    found = search(app, cohort, limit=10)
    assert names(found) == []
    assert [r.mentor.user.name for r in found.requested] == ["Grace"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"language": "fi"}, {"Linus"}),
    ({"expertise": "system design"}, {"Grace"}),
    ({"max_timezone_gap": 1}, {"Grace", "Linus"}),
    ({"max_timezone_gap": 0}, {"Grace"}),
])
def test_filters_narrow_the_suggestions(app: Flask, cohort: dict[str, int],
                                        filters: dict[str, Any], expected: set[str]) -> None:
    assert set(names(search(app, cohort, limit=10, **filters))) == expected


def test_more_results_on_demand(app: Flask, cohort: dict[str, int]) -> None:
    first = search(app, cohort, limit=1)
    assert len(first.suggestions) == 1 and first.has_more
    assert not search(app, cohort, limit=3).has_more


def test_a_paired_mentee_sees_the_pairing_instead_of_suggestions(
        app: Flask, cohort: dict[str, int]) -> None:
    create(app, lambda s: paired(s, s.get(Enrolment, cohort["ada"]),
                                 s.get(Enrolment, cohort["grace"])))
    found = search(app, cohort)
    assert found.pairing is not None and found.suggestions == []


@pytest.mark.parametrize(("query", "field"), [
    ("language=xx", "language"), ("limit=0", "limit"), ("limit=51", "limit"),
    ("max_timezone_gap=13", "max_timezone_gap"), ("max_timezone_gap=two", "max_timezone_gap"),
    ("expertise=a,b", "expertise")])
def test_bad_filters_are_422_at_the_field(app: Flask, cohort: dict[str, int], query: str,
                                          field: str) -> None:
    client = app.test_client()
    login(app, client, cohort["ada_user"])
    response = client.get(f"/programs/{cohort['program']}/mentors?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page if field != "limit" else "Must be between 1 and 50" in page


def test_find_page_is_for_mentees_of_open_or_running_programs(
        app: Flask, cohort: dict[str, int]) -> None:
    stranger = create(app, lambda s: person(s, "Stranger").id)
    client = app.test_client()
    login(app, client, stranger)
    assert client.get(f"/programs/{cohort['program']}/mentors").status_code == 404
    login(app, client, cohort["ada_user"])
    page = client.get(f"/programs/{cohort['program']}/mentors")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Request Grace" in text and "Staff engineer" in text and "%" in text

    def close(session: Any) -> None:
        session.get(Program, cohort["program"]).status = ProgramStatus.CLOSED
    create(app, close)
    assert client.get(f"/programs/{cohort['program']}/mentors").status_code == 409


def test_a_request_keeps_score_reasons_and_expiry_and_tells_the_mentor(
        app: Flask, cohort: dict[str, int]) -> None:
    request_id = send(app, cohort["ada_user"], cohort["grace"], "Could we work on design?")
    with app.app_context():
        session = get_session()
        item = session.get(MatchRequest, request_id)
        assert item.status == RequestStatus.PENDING and item.message == "Could we work on design?"
        assert 0 < item.score <= 1 and item.reasons
        assert timedelta(days=5) - timedelta(minutes=1) < item.expires_at - utcnow() \
            <= timedelta(days=5)
        notice = session.scalar(select(Notification).where(
            Notification.user_id == item.mentor.user_id))
        assert notice.kind == "request_received" and notice.subject_id == request_id


def test_the_request_page_sends_and_refuses_a_long_message(
        app: Flask, cohort: dict[str, int]) -> None:
    client = app.test_client()
    login(app, client, cohort["ada_user"])
    url = f"/mentors/{cohort['grace']}/request"
    assert client.get(url).status_code == 200
    too_long = client.post(url, data={"message": "x" * 1001})
    assert too_long.status_code == 422 and "at most 1000" in too_long.get_data(as_text=True)
    sent = client.post(url, data={"message": "x" * 1000})
    assert sent.status_code == 302 and sent.location.endswith("/requests/")
    again = client.post(url, data={"message": "again"})
    assert again.status_code == 409 and "already asked Grace" in again.get_data(as_text=True)


@pytest.mark.parametrize(("target", "message"), [
    ("paused", "not taking new mentees"), ("self", "cannot ask yourself"),
    ("nolang", "matching rules rule out"), ("ada", "Not found")])
def test_requests_the_rules_forbid_are_refused(app: Flask, cohort: dict[str, int],
                                               target: str, message: str) -> None:
    with pytest.raises((Conflict, NotFound), match=message if target != "ada" else "mentor"):
        send(app, cohort["ada_user"], cohort[target])


def test_full_paired_and_over_the_limit_requests_are_conflicts(
        app: Flask, cohort: dict[str, int]) -> None:
    def fill(session: Any) -> None:
        yuki = session.get(Enrolment, cohort["tokyo"])
        yuki.seats_taken = yuki.capacity
    create(app, fill)
    with pytest.raises(Conflict, match="no free mentee seat"):
        send(app, cohort["ada_user"], cohort["tokyo"])
    send(app, cohort["ada_user"], cohort["grace"])
    send(app, cohort["ada_user"], cohort["linus"])
    extra = create(app, lambda s: mentor(s, s.get(Enrolment, cohort["grace"]).program, "Eve").id)
    with pytest.raises(Conflict, match="2 requests waiting"):
        send(app, cohort["ada_user"], extra)
    create(app, lambda s: paired(s, s.get(Enrolment, cohort["ada"]), s.get(Enrolment, extra)))
    with pytest.raises(Conflict, match="already have a mentor"):
        send(app, cohort["ada_user"], cohort["tokyo"])


def test_withdrawing_is_the_mentees_alone(app: Flask, cohort: dict[str, int]) -> None:
    request_id = send(app, cohort["ada_user"], cohort["grace"])
    grace_user = create(app, lambda s: s.get(Enrolment, cohort["grace"]).user_id)
    with app.app_context():
        session = get_session()
        with pytest.raises(NotFound):
            requests.withdraw_request(session, request_id, session.get(User, grace_user))
    client = app.test_client()
    login(app, client, cohort["ada_user"])
    assert client.post(f"/requests/{request_id}/withdraw").status_code == 302
    again = client.post(f"/requests/{request_id}/withdraw")
    assert again.status_code == 409 and "it is withdrawn" in again.get_data(as_text=True)


def test_accepting_pairs_cancels_the_mentees_others_and_declines_when_full(
        app: Flask, cohort: dict[str, int]) -> None:
    def arrange(session: Any) -> dict[str, int]:
        program = session.get(Enrolment, cohort["grace"]).program
        grace = session.get(Enrolment, cohort["grace"])
        grace.capacity = 1
        ada = session.get(Enrolment, cohort["ada"])
        bob = mentee(session, program, "Bob")
        return {"mine": pending(session, ada, grace).id,
                "other": pending(session, ada, session.get(Enrolment, cohort["linus"])).id,
                "bob": pending(session, bob, grace).id, "bob_user": bob.user_id,
                "grace_user": grace.user_id}
    ids = create(app, arrange)
    client = app.test_client()
    login(app, client, ids["grace_user"])
    response = client.post(f"/requests/{ids['mine']}/accept")
    assert response.status_code == 302 and "/pairings/" in response.location
    with app.app_context():
        session = get_session()
        status = {k: session.get(MatchRequest, ids[k]).status for k in ("mine", "other", "bob")}
        assert status == {"mine": RequestStatus.ACCEPTED, "other": RequestStatus.CANCELLED,
                          "bob": RequestStatus.DECLINED}
        assert session.get(MatchRequest, ids["bob"]).decline_reason == DeclineReason.NO_CAPACITY
        pairing = session.scalar(select(Pairing))
        assert pairing.status == PairingStatus.ACTIVE and pairing.request_id == ids["mine"]
        kinds = {(n.user_id, n.kind) for n in session.scalars(select(Notification))}
        linus_user = session.get(Enrolment, cohort["linus"]).user_id
        assert {(cohort["ada_user"], "request_accepted"), (ids["bob_user"], "request_declined"),
                (linus_user, "request_cancelled")} <= kinds
    linus_view = client.get("/requests/")  # Grace's list shows Bob's as declined
    assert "badge-request-declined" in linus_view.get_data(as_text=True)


def test_declining_gives_the_mentee_the_reason_and_note(app: Flask,
                                                        cohort: dict[str, int]) -> None:
    request_id = send(app, cohort["ada_user"], cohort["grace"])
    grace_user = create(app, lambda s: s.get(Enrolment, cohort["grace"]).user_id)
    client = app.test_client()
    login(app, client, grace_user)
    form = client.get(f"/requests/{request_id}/decline")
    assert form.status_code == 200 and "Our schedules do not fit" in form.get_data(as_text=True)
    bad = client.post(f"/requests/{request_id}/decline", data={"reason": "bored", "note": ""})
    assert bad.status_code == 422
    done = client.post(f"/requests/{request_id}/decline",
                       data={"reason": "schedule", "note": "Try again in spring!"})
    assert done.status_code == 302
    login(app, client, cohort["ada_user"])
    mine = client.get("/requests/").get_data(as_text=True)
    assert "Our schedules do not fit" in mine and "Try again in spring!" in mine
    assert client.post(f"/requests/{request_id}/accept").status_code == 404  # not hers to answer


def test_a_request_past_its_expiry_reads_expired_before_the_command_runs(
        app: Flask, cohort: dict[str, int]) -> None:
    def arrange(session: Any) -> tuple[int, int]:
        ada = session.get(Enrolment, cohort["ada"])
        late = pending(session, ada, session.get(Enrolment, cohort["grace"]),
                       expires_in=timedelta(seconds=-1))
        return late.id, late.mentor.user_id
    request_id, grace_user = create(app, arrange)
    client = app.test_client()
    login(app, client, grace_user)
    assert "badge-request-expired" in client.get("/requests/").get_data(as_text=True)
    refused = client.post(f"/requests/{request_id}/accept")
    assert refused.status_code == 409 and "it is expired" in refused.get_data(as_text=True)
    # the expired one no longer counts: Ada may ask Grace again (the stale row is stored first)
    send(app, cohort["ada_user"], cohort["grace"])
    with app.app_context():
        assert get_session().get(MatchRequest, request_id).status == RequestStatus.EXPIRED


def test_expire_requests_stores_it_once_and_tells_each_mentee_once(
        app: Flask, cohort: dict[str, int]) -> None:
    def arrange(session: Any) -> None:
        ada = session.get(Enrolment, cohort["ada"])
        pending(session, ada, session.get(Enrolment, cohort["grace"]),
                expires_in=timedelta(hours=-2))
        pending(session, ada, session.get(Enrolment, cohort["linus"]),
                expires_in=timedelta(hours=-1))
        pending(session, ada, session.get(Enrolment, cohort["tokyo"]))
    create(app, arrange)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["expire-requests"])
    assert first.exit_code == 0 and first.output.strip() == "Expired 2 match requests."
    assert runner.invoke(args=["expire-requests"]).output.strip() == "Expired 0 match requests."
    with app.app_context():
        session = get_session()
        notices = list(session.scalars(select(Notification).where(
            Notification.kind == "request_expired")))
        assert len(notices) == 2 and {n.user_id for n in notices} == {cohort["ada_user"]}
        assert {n.data["mentor"] for n in notices} == {"Grace", "Linus"}


def test_requests_page_lists_both_sides(app: Flask, cohort: dict[str, int],
                                        client: FlaskClient) -> None:
    send(app, cohort["ada_user"], cohort["grace"], "Hi Grace")
    login(app, client, cohort["ada_user"])
    page = client.get("/requests/").get_data(as_text=True)
    assert "Requests you sent" in page and "Grace" in page and "Withdraw" in page
    assert "Requests to you" not in page


def test_decline_reason_must_be_known(app: Flask, cohort: dict[str, int]) -> None:
    request_id = send(app, cohort["ada_user"], cohort["grace"])
    with app.app_context():
        session = get_session()
        grace = session.get(Enrolment, cohort["grace"]).user
        with pytest.raises(FieldErrors) as caught:
            requests.decline_request(session, request_id, grace, {"reason": None, "note": 3})
        assert set(caught.value.fields) == {"reason", "note"}


def test_suggestions_share_the_matcher_the_rounds_fit(app: Flask, cohort: dict[str, int]) -> None:
    """ranking() finds fitted()'s matcher by the same key: no second fit per program."""
    from mentorship.services import matches
    with app.app_context():
        session = get_session()
        program = session.get(Program, cohort["program"])
        cache = matches.MatcherCache()
        first = matches.fitted(session, program, cache)
        assert first is not None
        assert matches.ranking(session, program, cache).matcher is first.matcher
