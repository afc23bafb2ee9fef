"""Matching rounds as an admin meets them: the matching and round pages, and match-round."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    Enrolment,
    MatchRound,
    Pairing,
    ProgramStatus,
    Role,
)
from tests.factories import create, login, make_enrolment, make_user
from tests.helpers import count_queries
from tests.round_cohort import SCORE, make_cohort, run


@pytest.fixture
def cohort(app: Flask) -> dict[str, int]:
    return make_cohort(app)


def admin_client(app: Flask, admin_id: int) -> Any:
    client = app.test_client()
    login(app, client, admin_id)
    return client


def test_the_matching_page_shows_the_pool_settings_and_weights(app: Flask,
                                                              cohort: dict[str, int]) -> None:
    client = admin_client(app, cohort["admin"])
    page = client.get(f"/admin/programs/{cohort['program']}/matching")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mentees without a mentor</dt><dd>5" in html
    assert "Mentors with a free seat</dt><dd>3 (4 seats)" in html
    assert 'for="min_score"' in html and 'for="group_by"' in html and "Goals and expertise" in html


def test_running_from_the_page_shows_the_draft(app: Flask, cohort: dict[str, int]) -> None:
    client = admin_client(app, cohort["admin"])
    answer = client.post(f"/admin/programs/{cohort['program']}/matching", data=SCORE)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Draft ready: 4 of 5" in html and "Eve" in html and "Publish 4 pairs" in html
    assert "<svg" in html and "<caption>Pairs by score</caption>" in html


def test_bad_settings_on_the_page_are_422_at_the_field(app: Flask,
                                                       cohort: dict[str, int]) -> None:
    client = admin_client(app, cohort["admin"])
    page = client.post(f"/admin/programs/{cohort['program']}/matching",
                       data=SCORE | {"equity": "2"})
    assert page.status_code == 422
    assert "Must be a number from 0 to 1." in page.get_data(as_text=True)
    assert stored_count(app) == 0


def stored_count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(MatchRound))


def test_publishing_twice_from_the_page_is_a_409_with_the_message(
        app: Flask, cohort: dict[str, int]) -> None:
    client = admin_client(app, cohort["admin"])
    round_id = run(app, cohort["program"])
    assert client.post(f"/admin/rounds/{round_id}/publish").status_code == 302
    again = client.post(f"/admin/rounds/{round_id}/publish")
    assert again.status_code == 409
    assert "Only a draft can be published" in again.get_data(as_text=True)


def test_round_pages_are_for_admins_only(app: Flask, cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])
    anonymous = app.test_client()
    assert anonymous.get(f"/admin/rounds/{round_id}").status_code == 302
    member = app.test_client()
    with app.app_context():
        user_id = get_session().get(Enrolment, cohort["Ada"]).user_id
    login(app, member, user_id)
    for path in (f"/admin/rounds/{round_id}", f"/admin/programs/{cohort['program']}/matching",
                 f"/admin/rounds/{round_id}/proposals.csv"):
        assert member.get(path).status_code == 403
    assert member.post(f"/admin/rounds/{round_id}/publish").status_code == 403
    admin = admin_client(app, cohort["admin"])
    assert admin.get("/admin/rounds/999999").status_code == 404


def test_the_round_page_query_count_does_not_grow_with_the_proposals(app: Flask) -> None:
    def grow(ids: dict[str, int], n: int) -> None:
        def build(session):  # noqa: ANN001, ANN202
            program = session.get(Enrolment, ids["Ada"]).program
            for _ in range(n):
                make_enrolment(session, make_user(session), program)
                make_enrolment(session, make_user(session), program, Role.MENTOR, capacity=1)
        create(app, build)
    counts = []
    for n in (0, 30):
        ids = make_cohort(app)
        grow(ids, n)
        round_id = run(app, ids["program"])
        client = admin_client(app, ids["admin"])
        with count_queries(app) as statements:
            assert client.get(f"/admin/rounds/{round_id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# The match-round command


def test_match_round_prints_the_report_writes_csv_and_publishes(
        app: Flask, cohort: dict[str, int], tmp_path: Any) -> None:
    target = tmp_path / "draft.csv"
    result = app.test_cli_runner().invoke(args=[
        "match-round", str(cohort["program"]), "--objective", "coverage", "--min-score", "0.1",
        "--equity", "0.5", "--group-by", "experience", "--csv", str(target), "--publish"])
    assert result.exit_code == 0, result.output
    assert "Matched 4 of 5 mentees (80%)" in result.output
    assert "Not matched, no allowed mentor: 1" in result.output
    assert "Published: 4 pairings" in result.output
    assert len(target.read_text().splitlines()) == 5
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Pairing)) == 4


@pytest.mark.parametrize(("args", "message"), [
    (["999999"], "No program has the id 999999"),
    (["abc"], "is not a valid integer"),
    (["1", "--min-score", "2"], "not in the range"),
    (["1", "--equity", "lots"], "is not a valid float"),
    (["1", "--objective", "fast"], "is not one of"),
])
def test_match_round_refuses_bad_input_clearly(app: Flask, cohort: dict[str, int],
                                               args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["match-round", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert stored_count(app) == 0


def test_match_round_refuses_while_a_round_runs(app: Flask, cohort: dict[str, int]) -> None:
    create(app, lambda session: session.add(MatchRound(program_id=cohort["program"])))
    result = app.test_cli_runner().invoke(args=["match-round", str(cohort["program"])])
    assert result.exit_code == 1
    assert "A round of this program is running" in result.output


def test_the_matching_page_of_a_closed_program_offers_no_run(app: Flask) -> None:
    ids = make_cohort(app, status=ProgramStatus.CLOSED)
    client = admin_client(app, ids["admin"])
    html = client.get(f"/admin/programs/{ids['program']}/matching").get_data(as_text=True)
    assert "Rounds run only for open or running programs" in html and ">Run</button>" not in html
    answer = client.post(f"/admin/programs/{ids['program']}/matching", data=SCORE)
    assert answer.status_code == 409
