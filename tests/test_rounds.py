"""Matching rounds: the run, the draft and its report, pins, exclusions, publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import (
    Availability,
    Enrolment,
    MatchRequest,
    MatchRound,
    Notification,
    Pairing,
    PairingSource,
    ProgramStatus,
    RequestStatus,
    RoundProposal,
    RoundStatus,
    utcnow,
)
from mentorship.services import (
    matches,
    round_edits,
    round_publish,
    round_report,
    round_runs,
    round_solve,
    rounds,
)
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.pairings import create_pairing
from tests.factories import create, make_enrolment, make_user
from tests.round_cohort import SCORE, build, make_cohort, proposals, run, stored


@pytest.fixture
def cohort(app: Flask) -> dict[str, int]:
    return make_cohort(app)


def test_a_run_writes_the_optimal_draft_with_reasons_and_report(app: Flask,
                                                               cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])
    round_ = stored(app, round_id)
    assert round_.status == RoundStatus.DRAFT and round_.error == ""
    assert proposals(app, round_id) == {
        cohort["Ada"]: (cohort["Grace"], False), cohort["Bea"]: (cohort["Grace"], False),
        cohort["Cy"]: (cohort["Linus"], False), cohort["Dee"]: (cohort["Hedy"], False)}
    report = round_.report
    assert (report["mentees"], report["matched"], report["seats"]) == (5, 4, 4)
    assert report["coverage"] == pytest.approx(0.8) and report["certified"]
    assert 0 < report["min_score"] <= report["p10_score"] <= report["mean_score"] <= 1
    assert report["unmatched"] == [[cohort["Eve"], round_report.NO_MENTOR, None]]
    assert sum(report["score_bins"]) == 4
    assert report["load_bins"] == {"none": 0, "some": 0, "all": 3}
    japanese = next(g for g in report["groups"] if g["label"] == "Japanese")
    assert japanese["coverage"] == 0 and japanese["warning"]
    with app.app_context():
        reasons = get_session().scalar(select(RoundProposal.reasons).where(
            RoundProposal.mentee_enrolment_id == cohort["Cy"]))
    assert any("kubernetes" in r for r in reasons)


def test_nothing_changes_for_people_until_the_round_is_published(
        app: Flask, cohort: dict[str, int]) -> None:
    run(app, cohort["program"])
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count()).select_from(Pairing)) == 0
        assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_minimum_score_leaves_weak_pairs_out_and_says_why(app: Flask,
                                                           cohort: dict[str, int]) -> None:
    report = stored(app, run(app, cohort["program"], min_score="0.99")).report
    assert report["matched"] == 0
    assert report["why_counts"] == {round_report.BELOW_MINIMUM: 4, round_report.NO_MENTOR: 1}


def test_seats_taken_by_better_pairs_is_the_reason_when_capacity_runs_out(
        app: Flask, cohort: dict[str, int]) -> None:
    def pause(session):  # noqa: ANN001, ANN202
        session.get(Enrolment, cohort["Grace"]).capacity = 1
    create(app, pause)
    report = stored(app, run(app, cohort["program"])).report
    assert report["matched"] == 3
    assert report["why_counts"][round_report.SEATS_TAKEN] == 1


@pytest.mark.parametrize(("settings", "field"), [
    ({"objective": "fastest"}, "objective"), ({"min_score": "1.5"}, "min_score"),
    ({"equity": "-0.1"}, "equity"), ({"equity": "a lot"}, "equity"),
    ({"group_by": "shoe size"}, "group_by"), ({"min_score": "NaN"}, "min_score"),
])
def test_bad_settings_are_refused_at_their_field(settings: dict[str, str], field: str) -> None:
    with pytest.raises(FieldErrors) as caught:
        rounds.clean_settings(SCORE | settings)
    assert field in caught.value.fields


def test_settings_default_when_left_out() -> None:
    assert rounds.clean_settings({}) == {"objective": "score", "min_score": None,
                                         "equity": 0.0, "group_by": "language"}


@pytest.mark.parametrize("status", [ProgramStatus.DRAFT, ProgramStatus.CLOSED])
def test_only_open_or_running_programs_are_matched(app: Flask, status: ProgramStatus) -> None:
    ids = make_cohort(app, status=status)
    with app.app_context(), pytest.raises(Conflict, match="open or running"):
        db = get_session()
        rounds.start_round(db, db.get(Enrolment, ids["Ada"]).program, SCORE, None)


def test_a_second_run_while_one_runs_is_a_conflict(app: Flask, cohort: dict[str, int]) -> None:
    with app.app_context():
        db = get_session()
        program = db.get(Enrolment, cohort["Ada"]).program
        rounds.start_round(db, program, SCORE, None)
        db.commit()
        with pytest.raises(Conflict, match="is running"):
            rounds.start_round(db, program, SCORE, None)


def test_a_run_stuck_past_the_timeout_is_failed_by_the_next(app: Flask,
                                                           cohort: dict[str, int]) -> None:
    with app.app_context():
        db = get_session()
        program = db.get(Enrolment, cohort["Ada"]).program
        stuck = rounds.start_round(db, program, SCORE, None)
        stuck.started_at = utcnow() - rounds.RUN_TIMEOUT - timedelta(seconds=1)
        db.commit()
        fresh = rounds.start_round(db, program, SCORE, None)
        db.commit()
        db.refresh(stuck)
        assert stuck.status == RoundStatus.FAILED and "15 minutes" in stuck.error
        assert fresh.status == RoundStatus.RUNNING


def test_a_crash_marks_the_round_failed_with_its_error(app: Flask, cohort: dict[str, int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("solver exploded")
    monkeypatch.setattr(round_solve, "solve_round", explode)
    round_ = stored(app, run(app, cohort["program"]))
    assert round_.status == RoundStatus.FAILED
    assert "solver exploded" in round_.error and round_.finished_at is not None
    assert proposals(app, round_.id) == {}
    run(app, cohort["program"])  # the program is not blocked


def test_pins_and_exclusions_are_kept_by_a_rerun(app: Flask, cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])
    with app.app_context():
        db = get_session()
        round_ = rounds.get_round(db, round_id)
        # Pin Cy to Grace: Grace has one seat left for Ada or Bea.
        round_edits.pin(db, round_, {"mentee_enrolment_id": cohort["Cy"],
                                     "mentor_enrolment_id": cohort["Grace"]},
                        matches.MatcherCache())
        round_edits.exclude(db, round_, {"mentee_enrolment_id": str(cohort["Ada"]),
                                         "mentor_enrolment_id": str(cohort["Grace"])})
        db.commit()
        assert round_.report["edited"]
        rounds.restart_round(db, round_)
        db.commit()
        round_runs.run_round(db, round_id, matches.MatcherCache())
    draft = proposals(app, round_id)
    assert draft[cohort["Cy"]] == (cohort["Grace"], True)
    assert draft[cohort["Bea"]] == (cohort["Grace"], False)
    assert draft[cohort["Ada"]] == (cohort["Linus"], False)  # Grace is excluded for Ada
    report = stored(app, round_id).report
    assert report["pinned"] == 1 and not report["edited"]


def test_a_pin_beyond_the_mentors_free_seats_is_a_conflict(app: Flask,
                                                          cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])
    with app.app_context():
        db = get_session()
        round_ = rounds.get_round(db, round_id)
        pair = {"mentee_enrolment_id": cohort["Cy"], "mentor_enrolment_id": cohort["Hedy"]}
        with pytest.raises(Conflict, match="hard rule"):  # no shared language
            round_edits.pin(db, round_, pair, matches.MatcherCache())
        db.rollback()
        round_edits.pin(db, round_, {"mentee_enrolment_id": cohort["Dee"],
                                     "mentor_enrolment_id": cohort["Hedy"]},
                        matches.MatcherCache())
        with pytest.raises(FieldErrors):
            round_edits.pin(db, round_, {"mentee_enrolment_id": cohort["Hedy"],
                                         "mentor_enrolment_id": cohort["Dee"]},
                            matches.MatcherCache())


def test_publish_pairs_everyone_notifies_both_and_cancels_pending_requests(
        app: Flask, cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])

    def request(session):  # noqa: ANN001, ANN202
        found = MatchRequest(program_id=cohort["program"], mentee_enrolment_id=cohort["Ada"],
                             mentor_enrolment_id=cohort["Linus"], expires_at=utcnow())
        session.add(found)
        session.flush()
        return found.id
    request_id = create(app, request)
    with app.app_context():
        db = get_session()
        made = round_publish.publish(db, rounds.get_round(db, round_id))
        db.commit()
        assert len(made) == 4
        assert {db.get(Pairing, i).source for i in made} == {PairingSource.ROUND}
        assert db.get(Enrolment, cohort["Grace"]).seats_taken == 2
        assert db.get(MatchRequest, request_id).status == RequestStatus.CANCELLED
        assert db.scalar(select(func.count()).select_from(Notification)
                         .where(Notification.kind == "paired_by_round")) == 8
        told = db.scalars(select(Notification).where(Notification.kind == "request_cancelled"))
        assert [(n.user_id, n.subject_id) for n in told] == [
            (db.get(Enrolment, cohort["Linus"]).user_id, request_id)]
        assert db.get(MatchRound, round_id).status == RoundStatus.PUBLISHED
        with pytest.raises(Conflict, match="Only a draft"):
            round_publish.publish(db, rounds.get_round(db, round_id))


def test_publish_refuses_the_whole_round_when_the_present_contradicts_it(
        app: Flask, cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])

    def changes(session):  # noqa: ANN001, ANN202
        outsider = make_enrolment(session, make_user(session, name="Zed"),
                                  session.get(Enrolment, cohort["Ada"]).program)
        create_pairing(session, outsider, session.get(Enrolment, cohort["Linus"]),
                       source=PairingSource.REQUEST)
        session.get(Enrolment, cohort["Hedy"]).availability = Availability.PAUSED
    create(app, changes)
    with app.app_context():
        db = get_session()
        with pytest.raises(round_publish.RoundClashes) as caught:
            round_publish.publish(db, rounds.get_round(db, round_id))
        db.rollback()
        assert len(caught.value.clashes) == 2
        assert "Cy – Linus" in str(caught.value) and "Dee – Hedy" in str(caught.value)
        assert db.get(MatchRound, round_id).status == RoundStatus.DRAFT
        assert db.scalar(select(func.count()).select_from(Pairing)) == 1


def test_discarded_rounds_cannot_be_changed(app: Flask, cohort: dict[str, int]) -> None:
    round_id = run(app, cohort["program"])
    with app.app_context():
        db = get_session()
        round_ = rounds.get_round(db, round_id)
        rounds.discard(db, round_)
        db.commit()
        for change in (lambda: rounds.discard(db, round_), lambda: rounds.restart_round(db, round_),
                       lambda: round_publish.publish(db, round_),
                       lambda: round_edits.exclude(db, round_, {
                           "mentee_enrolment_id": cohort["Ada"],
                           "mentor_enrolment_id": cohort["Grace"]})):
            with pytest.raises(Conflict):
                change()
            db.rollback()


def test_csv_neutralises_formulas(app: Flask) -> None:
    ids = create(app, build)
    with app.app_context():
        get_session().get(Enrolment, ids["Ada"]).user.name = "=HYPERLINK(\"x\")"
        get_session().commit()
    round_id = run(app, ids["program"])
    with app.app_context():
        db = get_session()
        text = "".join(round_edits.proposals_csv(db, rounds.get_round(db, round_id)))
    lines = text.splitlines()
    assert lines[0].startswith("mentee_enrolment_id,mentee,")
    assert len(lines) == 5
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert [round_edits.safe_cell(v) for v in ("+1", "-2", "@x", "ok", 3)] == \
        ["'+1", "'-2", "'@x", "ok", 3]


def test_the_csv_lists_every_proposal_once_in_order_across_batches(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    round_id = run(app, create(app, build)["program"])
    with app.app_context():
        db = get_session()
        whole = "".join(round_edits.proposals_csv(db, rounds.get_round(db, round_id)))
        monkeypatch.setattr(round_edits, "CSV_BATCH", 1)
        chunks = list(round_edits.proposals_csv(db, rounds.get_round(db, round_id)))
    assert len(whole.splitlines()) == 5 and "".join(chunks) == whole
    assert len([chunk for chunk in chunks if chunk]) == 4  # one per proposal


def test_publish_refuses_when_a_seat_goes_between_the_check_and_the_write(
        app: Flask, cohort: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk write keeps the database's own rules, not only the check before it."""
    round_id = run(app, cohort["program"])
    monkeypatch.setattr(round_publish, "_clashes", lambda *args: [])
    create(app, lambda session: setattr(session.get(Enrolment, cohort["Linus"]), "availability",
                                        Availability.PAUSED))
    with app.app_context():
        db = get_session()
        with pytest.raises(Conflict, match="seats were taken"):
            round_publish.publish(db, rounds.get_round(db, round_id))
        db.rollback()
        assert db.scalar(select(func.count()).select_from(Pairing)) == 0
        assert db.get(Enrolment, cohort["Grace"]).seats_taken == 0
