"""The privacy floor: ratings only over at least three pairs per month, and no filter,
date range or API call recovers one pair's rating."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.models import Feedback, Role, utcnow
from mentorship.services import rating_months
from tests.api.helpers import bearer
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired
from tests.test_dashboard import rate


def months() -> tuple[datetime, datetime]:
    """A moment in the previous month and one earlier today (the current month)."""
    now = utcnow()
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (this_month - timedelta(days=1)).replace(day=10, hour=12), \
        max(this_month, now - timedelta(minutes=5))


@pytest.fixture
def rated(app: Flask) -> dict[str, Any]:
    """Last month: pairs A, B and C rate (shown). This month: only A and the lone pair D
    (hidden), D twice so that three ratings come from two pairs."""
    def build(session: Session) -> dict[str, Any]:
        program = make_program(session, name="Rated Cohort")
        made = {}
        for name in "ABCD":
            made[name] = paired(session, mentee(session, program, f"Mentee {name}"),
                                mentor(session, program, f"Mentor {name}"))
        last, this = months()
        for name in "ABC":
            rate(session, made[name], Role.MENTEE, 4, last)
            rate(session, made[name], Role.MENTOR, 3, last + timedelta(days=15))
        rate(session, made["A"], Role.MENTEE, 5, this)
        lone = [rate(session, made["D"], Role.MENTEE, 1, this).id,
                rate(session, made["D"], Role.MENTEE, 1, this).id]
        return {"program": program.id, "lone": lone, "d": made["D"].id,
                "admin": make_user(session, is_admin=True).id,
                "last": last.strftime("%Y-%m"), "this": this.strftime("%Y-%m"),
                "last_day": last.strftime("%Y-%m-%d"), "this_day": this.strftime("%Y-%m-%d")}
    return create(app, build)


def api(app: Flask, ids: dict[str, Any], query: str) -> tuple[int, Any]:
    answer = app.test_client().get(f"/api/v1/admin/programs/{ids['program']}/dashboard{query}",
                                   headers=bearer(app, ids["admin"]))
    return answer.status_code, answer.json


def test_a_month_below_three_pairs_is_hidden_and_left_out_of_the_total(
        app: Flask, rated: dict[str, Any]) -> None:
    status, report = api(app, rated, "")
    assert status == 200
    by_month = {b["month"]: b for b in report["ratings"]["mentee"]}
    assert by_month[rated["last"]] == {"month": rated["last"], "mean": 4.0, "ratings": 3,
                                       "hidden": False}
    assert by_month[rated["this"]] == {"month": rated["this"], "mean": None, "ratings": None,
                                       "hidden": True}
    assert report["ratings"]["mentee_overall"] == 4.0  # only from the shown month
    assert report["ratings"]["hidden_reason"] == "Too few pairs to show"
    page = signed_in(app, rated["admin"]).get(
        f"/admin/programs/{rated['program']}/dashboard").get_data(as_text=True)
    assert "Too few pairs to show" in page


def attempts(rated: dict[str, Any]) -> list[str]:
    """Every way an admin might slice the figures to isolate the lone pair's rating."""
    this, last = rated["this"], rated["last"]
    return ["", f"?since={this}", f"?until={this}", f"?since={this}&until={this}",
            f"?since={last}&until={this}", f"?since={last}&until={last}",
            f"?since={rated['this_day']}", f"?since={rated['this_day']}&until={rated['this_day']}",
            f"?since={rated['last_day']}&until={rated['this_day']}", f"?until={rated['last_day']}",
            f"?since={this}-01&until={this}-28", "?since=2000-01&until=2002-12"]


def answers(app: Flask, rated: dict[str, Any]) -> list[Any]:
    """What the API and the page's ratings section say under every attempt."""
    client = signed_in(app, rated["admin"])
    seen = []
    for query in attempts(rated):
        status, report = api(app, rated, query)
        seen.append((query, status, report))
        page = client.get(f"/admin/programs/{rated['program']}/dashboard{query}")
        text = page.get_data(as_text=True)
        seen.append((query, page.status_code, text[text.index("Ratings trend"):]))
    return seen


def test_no_filter_or_date_range_recovers_the_lone_pairs_rating(
        app: Flask, rated: dict[str, Any]) -> None:
    """Every answer stays the same whatever the lone pair rated: nothing can be derived."""
    low = answers(app, rated)

    def change(session: Session) -> None:
        session.execute(update(Feedback).where(Feedback.id.in_(rated["lone"])).values(rating=5))
        rating_months.recount(session, rated["program"])
    create(app, change)
    high = answers(app, rated)
    assert low == high
    assert all(status == 200 for _query, status, _body in low)


def test_days_in_a_range_snap_to_whole_months(app: Flask, rated: dict[str, Any]) -> None:
    _status, by_month = api(app, rated, f"?since={rated['last']}&until={rated['this']}")
    _status, by_day = api(app, rated, f"?since={rated['last_day']}&until={rated['this_day']}")
    assert by_day == by_month


@pytest.mark.parametrize("query, field", [("?since=yesterday", "since"),
                                          ("?until=2026-13", "until"),
                                          ("?since=2026-12-07T00:00", "since"),
                                          ("?since=2020-01&until=2026-01", "since")])
def test_ranges_that_are_not_whole_months_are_refused(app: Flask, rated: dict[str, Any],
                                                      query: str, field: str) -> None:
    status, body = api(app, rated, query)
    assert status == 422
    assert field in body["error"]["fields"]


def test_once_a_third_pair_rates_the_month_is_shown(app: Flask, rated: dict[str, Any]) -> None:
    def third(session: Session) -> None:
        program_id = rated["program"]
        from mentorship.models import Program
        program = session.get(Program, program_id)
        e = paired(session, mentee(session, program, "Mentee E"), mentor(session, program, "Mentor E"))
        rate(session, e, Role.MENTEE, 3, months()[1])
    create(app, third)
    _status, report = api(app, rated, "")
    this = {b["month"]: b for b in report["ratings"]["mentee"]}[rated["this"]]
    assert this == {"month": rated["this"], "mean": 2.5, "ratings": 4, "hidden": False}
    with app.app_context():
        assert get_session().get(Feedback, rated["lone"][0]).rating == 1
