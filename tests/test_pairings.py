"""Pairing a mentee with a mentor takes a seat; ending frees it; outsiders see nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from mentorship.db import get_session
from mentorship.models import Enrolment, Pairing, PairingSource, PairingStatus, Role
from mentorship.services import pairings
from mentorship.services.errors import Conflict, NotFound
from tests.factories import create, make_enrolment, make_program, make_user


@pytest.fixture
def cohort(app: Flask) -> dict[str, int]:
    def build(session):  # noqa: ANN001, ANN202
        program = make_program(session)
        mentor = make_enrolment(session, make_user(session, name="Grace"), program, Role.MENTOR,
                                capacity=1)
        a = make_enrolment(session, make_user(session, name="Ada"), program)
        b = make_enrolment(session, make_user(session, name="Bea"), program)
        return {"mentor": mentor.id, "a": a.id, "b": b.id, "a_user": a.user_id}
    return create(app, build)


def test_a_pairing_takes_a_seat_and_ending_frees_it(app: Flask, cohort: dict[str, int]) -> None:
    with app.app_context():
        session = get_session()
        mentor = session.get(Enrolment, cohort["mentor"])
        first = pairings.create_pairing(session, session.get(Enrolment, cohort["a"]), mentor,
                                        source=PairingSource.REQUEST, score=0.8)
        session.commit()
        assert mentor.seats_taken == 1
        with pytest.raises(Conflict, match="no free mentee seat"):
            pairings.create_pairing(session, session.get(Enrolment, cohort["b"]), mentor,
                                    source=PairingSource.REQUEST)
        ada = session.get(Enrolment, cohort["a"]).user
        pairings.end_pairing(session, first, ada, "goals_met", "We did it")
        session.commit()
        assert mentor.seats_taken == 0
        assert session.get(Pairing, first.id).status == PairingStatus.ENDED
        assert (cohort["a"], cohort["mentor"]) in pairings.ended_pairs(session, mentor.program_id)
        second = pairings.create_pairing(session, session.get(Enrolment, cohort["b"]), mentor,
                                         source=PairingSource.ROUND)
        session.commit()
        assert second.status == PairingStatus.ACTIVE


def test_a_mentee_has_one_active_mentor_per_program(app: Flask, cohort: dict[str, int]) -> None:
    def second_mentor(session):  # noqa: ANN001, ANN202
        program = session.get(Enrolment, cohort["mentor"]).program
        return make_enrolment(session, make_user(session), program, Role.MENTOR, capacity=3).id
    other = create(app, second_mentor)
    with app.app_context():
        session = get_session()
        mentee = session.get(Enrolment, cohort["a"])
        pairings.create_pairing(session, mentee, session.get(Enrolment, cohort["mentor"]),
                                source=PairingSource.REQUEST)
        with pytest.raises(Conflict, match="already has an active mentor"):
            pairings.create_pairing(session, mentee, session.get(Enrolment, other),
                                    source=PairingSource.REQUEST)
        session.commit()
        assert session.get(Enrolment, other).seats_taken == 0  # the refused seat was given back


def test_only_the_pair_sees_a_pairing(app: Flask, cohort: dict[str, int]) -> None:
    outsider_id = create(app, lambda s: make_user(s, is_admin=True).id)
    with app.app_context():
        session = get_session()
        pairing = pairings.create_pairing(session, session.get(Enrolment, cohort["a"]),
                                          session.get(Enrolment, cohort["mentor"]),
                                          source=PairingSource.REQUEST)
        session.commit()
        ada = session.get(Enrolment, cohort["a"]).user
        assert pairings.get_pairing_for_participant(session, pairing.id, ada) is not None
        with pytest.raises(NotFound):
            pairings.get_pairing_for_participant(session, pairing.id,
                                                 session.get(type(ada), outsider_id))
