"""My mentorships, a pairing's page, ending one, the admins' list; query counts of the new pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mentorship.db import get_session
from mentorship.models import Enrolment, Pairing, PairingStatus
from mentorship.services import pairings
from mentorship.services.notifications import Kind, notify
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired, pending, person
from tests.helpers import count_queries


@pytest.fixture
def pair(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Autumn Cohort")
        grace = mentor(session, program, "Grace Hopper", headline="Compiler pioneer",
                       expertise=("compilers", "python"))
        grace.about = "Navy and compilers"
        ada = mentee(session, program, "Ada Lovelace", headline="Analyst")
        pairing = paired(session, ada, grace)
        bea = mentee(session, program, "Bea Unpaired")
        asked = pending(session, bea, grace)
        admin = make_user(session, name="Admin", is_admin=True)
        outsider = person(session, "Olga")
        return {"pairing": pairing.id, "program": program.id, "grace": grace.user_id,
                "ada": ada.user_id, "bea": bea.user_id, "bea_enrolment": bea.id,
                "admin": admin.id, "outsider": outsider.id, "grace_enrolment": grace.id,
                "bea_request": asked.id}
    return create(app, build)



def test_both_sides_see_the_pairing_under_my_mentorships(app: Flask,
                                                          pair: dict[str, int]) -> None:
    for me, partner in (("ada", "Grace Hopper"), ("grace", "Ada Lovelace")):
        page = signed_in(app, pair[me]).get("/pairings/")
        assert page.status_code == 200
        assert partner in page.get_data(as_text=True)


def test_the_pairing_page_shows_partner_goals_and_reasons(app: Flask,
                                                          pair: dict[str, int]) -> None:
    page = signed_in(app, pair["ada"]).get(f"/pairings/{pair['pairing']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Compiler pioneer" in text and "Navy and compilers" in text  # Grace's profile
    assert "Grow into a python tech lead" in text  # the mentee's goals
    assert "Both speak English" in text  # why they were matched
    assert "End mentorship" in text


@pytest.mark.parametrize("who", ["admin", "outsider"])
def test_nobody_outside_the_pair_sees_it(app: Flask, pair: dict[str, int], who: str) -> None:
    client = signed_in(app, pair[who])
    assert client.get(f"/pairings/{pair['pairing']}").status_code == 404
    ended = client.post(f"/pairings/{pair['pairing']}/end", data={"reason": "other"})
    assert ended.status_code == 404
    assert "Grace Hopper" not in client.get("/pairings/").get_data(as_text=True)


def test_ending_frees_the_seat_and_the_mentee_looks_again(app: Flask,
                                                          pair: dict[str, int]) -> None:
    ada = signed_in(app, pair["ada"])
    bad = ada.post(f"/pairings/{pair['pairing']}/end", data={"reason": "bored", "note": ""})
    assert bad.status_code == 422
    done = ada.post(f"/pairings/{pair['pairing']}/end",
                    data={"reason": "goals_met", "note": "Thank you!"})
    assert done.status_code == 302
    with app.app_context():
        session = get_session()
        assert session.get(Pairing, pair["pairing"]).status == PairingStatus.ENDED
        assert session.get(Enrolment, pair["grace_enrolment"]).seats_taken == 0
    page = ada.get(f"/pairings/{pair['pairing']}").get_data(as_text=True)
    assert "Find a new mentor" in page and "Thank you!" in page
    find = ada.get(f"/programs/{pair['program']}/mentors").get_data(as_text=True)
    assert "Request Grace Hopper" not in find  # an ended pair is never suggested again
    again = ada.post(f"/pairings/{pair['pairing']}/end", data={"reason": "other"})
    assert again.status_code == 409


def test_admins_see_metadata_only_and_can_end_a_pairing(app: Flask,
                                                        pair: dict[str, int]) -> None:
    url = f"/admin/programs/{pair['program']}/pairings"
    assert signed_in(app, pair["outsider"]).get(url).status_code == 403
    admin = signed_in(app, pair["admin"])
    page = admin.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ada Lovelace" in text and "Grace Hopper" in text and "Request" in text
    assert "Grow into a python tech lead" not in text and "Both speak English" not in text
    ended = admin.post(f"{url}/{pair['pairing']}/end", data={"reason": "program_ended"})
    assert ended.status_code == 302
    with app.app_context():
        assert get_session().get(Pairing, pair["pairing"]).status == PairingStatus.ENDED
    other = create(app, lambda s: make_program(s).id)
    assert admin.post(f"/admin/programs/{other}/pairings/{pair['pairing']}/end",
                      data={"reason": "other"}).status_code == 404


def grow(app: Flask, ids: dict[str, int], n: int) -> None:
    """Add ``n`` of everything the pages list: received and sent requests, ended and active
    pairings, notifications."""
    def build(session: Any) -> None:
        grace = session.get(Enrolment, ids["grace_enrolment"])
        program = grace.program
        grace.capacity = 10
        bea = session.get(Enrolment, ids["bea_enrolment"])
        for i in range(n):
            other = mentee(session, program, f"Mentee {i}")
            pending(session, other, grace)
            someone = mentor(session, program, f"Mentor {i}")
            if i % 2:
                pending(session, bea, someone)
            else:
                pairings.end_pairing(session, paired(session, bea, someone), bea.user, "other")
            notify(session, ids["ada"], Kind.REQUEST_DECLINED, "match_request", 1,
                   mentor="X", program="Y", reason="z")
            notify(session, ids["grace"], Kind.REQUEST_RECEIVED, "match_request", 1,
                   mentee="X", program="Y")
        if n > 1:  # one more active pairing for Grace
            paired(session, mentee(session, program, "Another"), grace)
    create(app, build)


PAGES = ["/", "/requests/", "/pairings/", "/pairings/{pairing}", "/programs/{program}/mentors",
         "/mentors/{grace_enrolment}/request", "/admin/programs/{program}/pairings",
         "/requests/{bea_request}/decline"]


@pytest.mark.parametrize("who", ["ada", "bea", "grace", "admin"])
def test_query_counts_do_not_grow_with_the_history(app: Flask, pair: dict[str, int],
                                                   who: str) -> None:
    client = signed_in(app, pair[who])

    def counts() -> dict[str, int]:
        found = {}
        for path in PAGES:
            url = path.format(**pair)
            client.get(url)  # warm: the matcher is fitted once, outside the count
            with count_queries(app) as statements:
                status = client.get(url).status_code
            found[f"{url} {status}"] = len(statements)
        return found

    small = counts()
    assert any(" 200" in page for page in small)
    grow(app, pair, 6)
    big = counts()
    assert big == small
