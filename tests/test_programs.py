"""Programs and enrolments: who can see, create and join what."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import Enrolment, Program, ProgramStatus, Role
from mentorship.services.vocabulary import default_weights
from tests.factories import create, login, make_enrolment, make_program, make_user

PROGRAM = {"name": "Spring 2027 cohort", "description": "Engineers growing into leads",
           "starts_on": "2027-03-01", "ends_on": "2027-08-31", "status": "open",
           "max_timezone_gap_hours": "6", "max_pending_requests": "3", "weights__language": "2"}


def client_for(app: Flask, **user: object):  # noqa: ANN201
    user_id = create(app, lambda s: make_user(s, **user).id)
    client = app.test_client()
    login(app, client, user_id)
    return client, user_id


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_admin_creates_and_edits_a_program(app: Flask) -> None:
    admin, _ = client_for(app, is_admin=True)
    response = admin.post("/admin/programs/new", data=PROGRAM)
    assert response.status_code == 302
    with app.app_context():
        program = get_session().scalars(select(Program)).one()
        assert program.status == ProgramStatus.OPEN
        # Relative importance: what was not sent keeps its default (60 for text, else 10).
        assert program.weights == default_weights() | {"language": 2.0}
        program_id = program.id
    assert "Spring 2027 cohort" in admin.get("/admin/programs").get_data(as_text=True)
    response = admin.post(f"/admin/programs/{program_id}", data=PROGRAM | {"status": "running"})
    assert response.status_code == 302
    with app.app_context():
        assert get_session().get(Program, program_id).status == ProgramStatus.RUNNING


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "This field is required."),
    ("ends_on", "2027-01-01", "on or after the start date"),
    ("starts_on", "next spring", "Use a date like"),
    ("status", "paused", "Choose one of: draft, open, running, closed."),
    ("max_pending_requests", "0", "between 1 and 10"),
    ("max_timezone_gap_hours", "13", "between 0 and 12"),  # 12 hours is as far apart as clocks get
    ("weights__language", "eleven", "Shared language: use a number from 0 to 100."),
])
def test_bad_program_input_is_rejected(app: Flask, field: str, value: str, message: str) -> None:
    admin, _ = client_for(app, is_admin=True)
    response = admin.post("/admin/programs/new", data=PROGRAM | {field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Program) == 0


def test_duplicate_program_name_is_rejected(app: Flask) -> None:
    create(app, lambda s: make_program(s, name="Spring 2027 cohort"))
    admin, _ = client_for(app, is_admin=True)
    response = admin.post("/admin/programs/new", data=PROGRAM)
    assert response.status_code == 422
    assert "already has this name" in response.get_data(as_text=True)


def test_non_admin_gets_403_on_admin_pages(app: Flask) -> None:
    member, _ = client_for(app)
    assert member.get("/admin/programs").status_code == 403
    assert member.post("/admin/programs/new", data=PROGRAM).status_code == 403
    assert count(app, Program) == 0


def test_draft_programs_are_invisible_to_members(app: Flask) -> None:
    draft_id = create(app, lambda s: make_program(s, name="Secret draft",
                                                  status=ProgramStatus.DRAFT).id)
    member, _ = client_for(app)
    assert member.get(f"/programs/{draft_id}").status_code == 404
    assert member.get(f"/programs/{draft_id}/enrol").status_code == 404
    assert "Secret draft" not in member.get("/programs/").get_data(as_text=True)
    assert member.get("/programs/999999").status_code == 404


def test_mentee_enrols_and_sees_it(app: Flask) -> None:
    program_id = create(app, lambda s: make_program(s, name="Open cohort").id)
    member, user_id = client_for(app)
    response = member.post(f"/programs/{program_id}/enrol", data={
        "role": "mentee", "goals": "Move into engineering management",
        "skills_to_grow": "People management, giving feedback",
        "capacity": "2", "availability": "open"})
    assert response.status_code == 302
    with app.app_context():
        enrolment = get_session().scalars(select(Enrolment)).one()
        assert enrolment.role == Role.MENTEE and enrolment.capacity is None
        assert "people management" in enrolment.skills_to_grow
    page = member.get(f"/programs/{program_id}").get_data(as_text=True)
    assert "Move into engineering management" in page
    assert "Open cohort" in member.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("capacity", "message"), [
    ("0", "between 1 and 10"), ("11", "between 1 and 10"), ("two", "whole number"),
    ("", "This field is required."),
])
def test_mentor_capacity_must_be_1_to_10(app: Flask, capacity: str, message: str) -> None:
    program_id = create(app, lambda s: make_program(s).id)
    member, _ = client_for(app)
    response = member.post(f"/programs/{program_id}/enrol", data={
        "role": "mentor", "about": "I coach new managers", "expertise": "people management",
        "capacity": capacity, "availability": "open"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="capacity-error"' in html and message in html
    assert count(app, Enrolment) == 0


def test_second_enrolment_in_the_same_role_is_a_conflict(app: Flask) -> None:
    program_id = create(app, lambda s: make_program(s).id)
    member, _ = client_for(app)
    data = {"role": "mentee", "goals": "Learn", "skills_to_grow": "python"}
    assert member.post(f"/programs/{program_id}/enrol", data=data).status_code == 302
    response = member.post(f"/programs/{program_id}/enrol", data=data)
    assert response.status_code == 409
    assert "already enrolled" in response.get_data(as_text=True)
    mentor = {"role": "mentor", "about": "Teach", "expertise": "python", "capacity": "1",
              "availability": "open"}
    assert member.post(f"/programs/{program_id}/enrol", data=mentor).status_code == 302
    assert count(app, Enrolment) == 2


def test_closed_program_refuses_enrolment(app: Flask) -> None:
    program_id = create(app, lambda s: make_program(s, status=ProgramStatus.CLOSED).id)
    member, _ = client_for(app)
    response = member.post(f"/programs/{program_id}/enrol",
                           data={"role": "mentee", "goals": "Learn"})
    assert response.status_code == 409
    assert count(app, Enrolment) == 0


def test_someone_elses_enrolment_is_404(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        owner = make_user(session)
        return make_enrolment(session, owner, make_program(session)).id
    enrolment_id = create(app, build)
    stranger, _ = client_for(app)
    assert stranger.get(f"/programs/enrolments/{enrolment_id}").status_code == 404
    response = stranger.post(f"/programs/enrolments/{enrolment_id}",
                             data={"goals": "hijacked"})
    assert response.status_code == 404
    with app.app_context():
        assert get_session().get(Enrolment, enrolment_id).goals != "hijacked"


def test_owner_edits_enrolment(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        owner = make_user(session)
        enrolment = make_enrolment(session, owner, make_program(session), Role.MENTOR)
        return owner.id, enrolment.id
    owner_id, enrolment_id = create(app, build)
    client = app.test_client()
    login(app, client, owner_id)
    response = client.post(f"/programs/enrolments/{enrolment_id}", data={
        "role": "mentor", "about": "Now also design", "expertise": "UX, python",
        "capacity": "4", "availability": "paused"})
    assert response.status_code == 302
    with app.app_context():
        enrolment = get_session().get(Enrolment, enrolment_id)
        assert enrolment.capacity == 4 and enrolment.availability.value == "paused"


def test_admin_dashboard_counts_mentees_and_mentors_per_program(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        program = make_program(session, name="Counted cohort")
        for _ in range(3):
            make_enrolment(session, make_user(session), program, Role.MENTEE)
        make_enrolment(session, make_user(session), program, Role.MENTOR)
    create(app, build)
    admin, _ = client_for(app, is_admin=True)
    html = admin.get("/").get_data(as_text=True)
    assert "Programs you run" in html
    row = html[html.index("Counted cohort"):]
    assert row.index("<td>3</td>") < row.index("<td>1</td>")
    member, _ = client_for(app)
    assert "Programs you run" not in member.get("/").get_data(as_text=True)


def test_renaming_to_a_taken_name_is_a_field_error(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        make_program(session, name="Taken")
        return make_program(session, name="Mine").id
    program_id = create(app, build)
    admin, _ = client_for(app, is_admin=True)
    response = admin.post(f"/admin/programs/{program_id}", data=PROGRAM | {"name": "Taken"})
    assert response.status_code == 422
    assert "already has this name" in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().get(Program, program_id).name == "Mine"


def test_editing_a_program_keeps_a_zero_hour_gap_and_exact_weights(app: Flask) -> None:
    program_id = create(app, lambda s: make_program(
        s, max_timezone_gap_hours=0, weights={"text": 1.23456789, "language": 6.0}).id)
    admin, _ = client_for(app, is_admin=True)
    page = admin.get(f"/admin/programs/{program_id}").get_data(as_text=True)
    assert 'value="0"' in page and 'value="1.23456789"' in page and 'value="6"' in page
    form = {"name": "Kept", "status": "open", "max_timezone_gap_hours": "0",
            "max_pending_requests": "3", "weights__text": "1.23456789",
            "weights__language": "6", "version": "1"}
    assert admin.post(f"/admin/programs/{program_id}", data=form).status_code == 302
    with app.app_context():
        program = get_session().get(Program, program_id)
        assert program.max_timezone_gap_hours == 0
        assert program.weights == default_weights() | {"text": 1.23456789, "language": 6.0}


def test_enrolment_in_a_program_back_in_draft_links_nowhere(app: Flask) -> None:
    def build(session):  # noqa: ANN001, ANN202
        user = make_user(session)
        program = make_program(session, name="Paused cohort", status=ProgramStatus.DRAFT)
        make_enrolment(session, user, program)
        return user.id, program.id
    user_id, program_id = create(app, build)
    client = app.test_client()
    login(app, client, user_id)
    html = client.get("/").get_data(as_text=True)
    assert "Paused cohort" in html and "back to draft" in html
    assert f'href="/programs/{program_id}"' not in html
