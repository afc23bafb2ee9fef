"""Feedback after a session, the private fit check, and the aggregates admins may see."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    EndReason,
    Feedback,
    FitCheck,
    MeetingStatus,
    Notification,
    Pairing,
    PairingStatus,
    Role,
)
from mentorship.services import feedback, pairings
from tests.factories import create, signed_in
from tests.helpers import count_queries
from tests.test_goals_fixtures import build_pairs, meeting

MENTEE_SAYS = {"went_well": "Clear next steps", "to_improve": "Start on time",
               "advice": "The review checklist", "rating": "4"}


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    return build_pairs(app)


def feedback_url(pair: dict[str, int], which: str = "completed") -> str:
    return f"/pairings/{pair['pairing']}/sessions/{pair[which]}/feedback"


def notices(app: Flask, user_id: int) -> list[Notification]:
    with app.app_context():
        found = list(get_session().scalars(select(Notification)
                                           .where(Notification.user_id == user_id)))
        get_session().expunge_all()
        return found


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model)) or 0


def end(app: Flask, pairing_id: int) -> None:
    def run(session: Any) -> None:
        pairing = session.get(Pairing, pairing_id)
        pairings.end_pairing(session, pairing, pairing.mentor.user, "other")
    create(app, run)


def test_each_side_reads_its_own_questions(app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"]).get(feedback_url(pair)).get_data(as_text=True)
    grace = signed_in(app, pair["grace"]).get(feedback_url(pair)).get_data(as_text=True)
    assert "What helped most" in ada and "How useful the session was (1–5)" in ada
    assert "Your advice" in grace and "The mentee&#39;s progress (1–5)" in grace
    assert "What helped most" not in grace


def test_feedback_reaches_the_partner_once(app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    given = ada.post(feedback_url(pair), data=MENTEE_SAYS)
    assert given.status_code == 302
    (notice,) = notices(app, pair["grace"])
    assert notice.kind == "feedback_received" and notice.data["partner"] == "Ada Lovelace"
    page = signed_in(app, pair["grace"]).get(feedback_url(pair)).get_data(as_text=True)
    assert "Ada Lovelace&#39;s feedback" in page
    assert "The review checklist" in page and "What helped most" in page and "4 of 5" in page
    assert "Give your feedback" in page  # Grace has not given hers
    again = ada.post(feedback_url(pair), data=MENTEE_SAYS | {"went_well": "Changed my mind"})
    assert again.status_code == 409
    assert "already" in again.get_data(as_text=True)
    assert "Give your feedback" not in ada.get(feedback_url(pair)).get_data(as_text=True)
    assert count(app, Feedback) == 1 and len(notices(app, pair["grace"])) == 1


@pytest.mark.parametrize(("rating", "message"), [("", "This field is required."),
                                                 ("0", "1"), ("6", "5"), ("five", "whole")])
def test_the_rating_is_checked_at_its_field(app: Flask, pair: dict[str, int], rating: str,
                                            message: str) -> None:
    response = signed_in(app, pair["grace"]).post(feedback_url(pair),
                                                  data=MENTEE_SAYS | {"rating": rating})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text.split('id="rating-error"')[1][:120]
    assert count(app, Feedback) == 0 and notices(app, pair["ada"]) == []


@pytest.mark.parametrize("status", [MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED])
def test_no_feedback_on_a_session_that_did_not_take_place(app: Flask, pair: dict[str, int],
                                                         status: MeetingStatus) -> None:
    def planned(session: Any) -> int:
        return meeting(session, session.get(Pairing, pair["pairing"]), status=status).id
    pair["later"] = create(app, planned)
    ada = signed_in(app, pair["ada"])
    page = ada.get(feedback_url(pair, "later"))
    assert page.status_code == 200 and "Feedback opens once" in page.get_data(as_text=True)
    refused = ada.post(feedback_url(pair, "later"), data=MENTEE_SAYS)
    assert refused.status_code == 409 and count(app, Feedback) == 0


def test_a_session_of_another_pair_is_not_found(app: Flask, pair: dict[str, int]) -> None:
    def theirs(session: Any) -> int:
        return meeting(session, session.get(Pairing, pair["other"])).id
    other = create(app, theirs)
    url = f"/pairings/{pair['pairing']}/sessions/{other}/feedback"
    ada = signed_in(app, pair["ada"])
    assert ada.get(url).status_code == 404
    assert ada.post(url, data=MENTEE_SAYS).status_code == 404


def test_fit_check_is_due_after_the_first_completed_session_once(app: Flask,
                                                                 pair: dict[str, int]) -> None:
    def due(role: Role, pairing_id: int) -> bool:
        with app.app_context():
            db = get_session()
            return feedback.fit_check_due(db, db.get(Pairing, pairing_id), role)
    assert due(Role.MENTEE, pair["pairing"]) and due(Role.MENTOR, pair["pairing"])
    assert not due(Role.MENTEE, pair["other"])  # no session yet
    other = signed_in(app, pair["cleo"])
    assert "after your first completed session" in other.get(
        f"/pairings/{pair['other']}/fit").get_data(as_text=True)
    assert other.post(f"/pairings/{pair['other']}/fit", data={"answer": "yes"}).status_code == 409
    grace = signed_in(app, pair["grace"])
    assert grace.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "maybe"}
                      ).status_code == 422
    assert grace.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "unsure"}
                      ).status_code == 302
    assert not due(Role.MENTOR, pair["pairing"]) and due(Role.MENTEE, pair["pairing"])
    again = grace.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "yes"})
    assert again.status_code == 409 and count(app, FitCheck) == 1
    assert "You answered <strong>Not sure yet</strong>" in grace.get(
        f"/pairings/{pair['pairing']}/fit").get_data(as_text=True)


def test_the_partner_never_learns_the_answer(app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    assert ada.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "no"}).status_code == 302
    assert notices(app, pair["grace"]) == []
    grace = signed_in(app, pair["grace"])
    base = f"/pairings/{pair['pairing']}"
    for url in (base, f"{base}/fit", f"{base}/goals", feedback_url(pair), "/notifications/",
                "/pairings/", "/"):
        text = grace.get(url, follow_redirects=True).get_data(as_text=True)
        assert "You answered" not in text, url
        assert "End the mentorship and look again" not in text, url
    fit_page = grace.get(f"{base}/fit").get_data(as_text=True)
    assert "Send my answer" in fit_page  # Grace is still asked, as if nothing was said


def test_a_mentee_who_says_no_can_end_it_and_look_again(app: Flask,
                                                         pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    base = f"/pairings/{pair['pairing']}"
    ada.post(f"{base}/fit", data={"answer": "no"})
    page = ada.get(f"{base}/fit").get_data(as_text=True)
    assert "End the mentorship and look again" in page
    ended = ada.post(f"{base}/fit/end")
    assert ended.status_code == 302
    assert ended.headers["Location"].endswith(f"/programs/{pair['program']}/mentors")
    with app.app_context():
        pairing = get_session().get(Pairing, pair["pairing"])
        assert pairing.status == PairingStatus.ENDED
        assert pairing.end_reason == EndReason.NOT_A_GOOD_FIT
    (notice,) = notices(app, pair["grace"])
    assert notice.kind == "pairing_ended"
    assert "no" not in {str(v) for v in notice.data.values()}


def test_only_a_mentee_who_said_no_ends_it_from_the_fit_check(app: Flask,
                                                              pair: dict[str, int]) -> None:
    base = f"/pairings/{pair['pairing']}"
    grace = signed_in(app, pair["grace"])
    grace.post(f"{base}/fit", data={"answer": "no"})
    assert "End the mentorship and look again" not in grace.get(f"{base}/fit").get_data(
        as_text=True)
    assert grace.post(f"{base}/fit/end").status_code == 409
    ada = signed_in(app, pair["ada"])
    ada.post(f"{base}/fit", data={"answer": "yes"})
    assert ada.post(f"{base}/fit/end").status_code == 409
    with app.app_context():
        assert get_session().get(Pairing, pair["pairing"]).status == PairingStatus.ACTIVE


def test_feedback_and_fit_are_read_only_after_the_end(app: Flask, pair: dict[str, int]) -> None:
    end(app, pair["pairing"])
    ada = signed_in(app, pair["ada"])
    page = ada.get(feedback_url(pair))
    assert page.status_code == 200 and "Give your feedback" not in page.get_data(as_text=True)
    assert ada.post(feedback_url(pair), data=MENTEE_SAYS).status_code == 409
    assert ada.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "yes"}).status_code == 409
    with app.app_context():
        db = get_session()
        assert not feedback.fit_check_due(db, db.get(Pairing, pair["pairing"]), Role.MENTEE)
    assert count(app, Feedback) == 0 and count(app, FitCheck) == 0


def test_the_goals_page_asks_for_feedback_and_the_fit_check_until_given(
        app: Flask, pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    goals_page = f"/pairings/{pair['pairing']}/goals"
    page = ada.get(goals_page).get_data(as_text=True)
    assert f'href="{feedback_url(pair)}"' in page and "is this a good fit?" in page
    ada.post(feedback_url(pair), data=MENTEE_SAYS)
    ada.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "yes"})
    page = ada.get(goals_page).get_data(as_text=True)
    assert "Feedback waiting for you" not in page and "is this a good fit?" not in page
    grace = signed_in(app, pair["grace"]).get(goals_page).get_data(as_text=True)
    assert "Feedback waiting for you" in grace and "is this a good fit?" in grace


def test_feedback_and_fit_pages_run_the_same_queries_before_and_after(
        app: Flask, pair: dict[str, int]) -> None:
    grace = signed_in(app, pair["grace"])

    def counts() -> tuple[int, int]:
        with count_queries(app) as page:
            assert grace.get(feedback_url(pair)).status_code == 200
        with count_queries(app) as fit:
            assert grace.get(f"/pairings/{pair['pairing']}/fit").status_code == 200
        return len(page), len(fit)

    before = counts()
    signed_in(app, pair["ada"]).post(feedback_url(pair), data=MENTEE_SAYS)
    grace.post(feedback_url(pair), data=MENTEE_SAYS)
    grace.post(f"/pairings/{pair['pairing']}/fit", data={"answer": "yes"})
    assert counts() == before
