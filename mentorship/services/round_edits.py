"""Adjusting a round's draft (pins, exclusions) and reading it (pages, CSV). Take a session;
never commit.

Pins and exclusions are kept across re-runs: a pinned pair is fixed and takes its
mentor's seat before the engine solves the rest; an excluded pair is never proposed.
Each change claims the round's row first (``rounds.claim``), so it cannot slip in
while the round is being re-run or published.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from mentorship.models import (
    Enrolment,
    MatchRound,
    Pairing,
    PairingStatus,
    Role,
    RoundExclusion,
    RoundProposal,
    User,
)
from mentorship.services import matches, round_report
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.rounds import EDITABLE, claim

NOT_EDITABLE = "Only a draft (or a failed round) can be changed; this one is {status}."
PAGE_SIZE = 50
CSV_HEADER = ("mentee_enrolment_id", "mentee", "mentee_email", "mentor_enrolment_id", "mentor",
              "mentor_email", "score", "pinned", "reasons")
CSV_BATCH = 1000  # proposals per query of the CSV download
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _claim_for_edit(session: Session, round_: MatchRound) -> None:
    claim(session, round_, EDITABLE, NOT_EDITABLE.format(status=round_.status.value))
    round_.report = {**round_.report, "edited": True}


def pair_ids(data: Mapping[str, object]) -> tuple[int, int]:
    """The mentee and mentor enrolment ids of a pin or an exclusion, or FieldErrors."""
    problems: dict[str, str] = {}
    ids: list[int] = []
    for name in ("mentee_enrolment_id", "mentor_enrolment_id"):
        value = data.get(name)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            problems[name] = "Must be the id of an enrolment in this program."
            value = 0
        ids.append(value)
    if problems:
        raise FieldErrors(problems)
    return ids[0], ids[1]


def _pair(session: Session, round_: MatchRound, data: Mapping[str, object],
          ) -> tuple[Enrolment, Enrolment]:
    mentee_id, mentor_id = pair_ids(data)
    found = {e.id: e for e in session.scalars(
        select(Enrolment).where(Enrolment.id.in_([mentee_id, mentor_id]),
                                Enrolment.program_id == round_.program_id)
        .options(joinedload(Enrolment.user).joinedload(User.profile))).unique()}
    problems = {}
    if getattr(found.get(mentee_id), "role", None) != Role.MENTEE:
        problems["mentee_enrolment_id"] = "Not a mentee of this program."
    if getattr(found.get(mentor_id), "role", None) != Role.MENTOR:
        problems["mentor_enrolment_id"] = "Not a mentor of this program."
    if problems:
        raise FieldErrors(problems)
    return found[mentee_id], found[mentor_id]


def forbidden_mentors(session: Session, round_: MatchRound, mentee: Enrolment) -> set[int]:
    """The mentors ``mentee`` may not get in this round: ended pairings, the round's
    exclusions and their own mentor enrolment."""
    ended = session.scalars(select(Pairing.mentor_enrolment_id).where(
        Pairing.mentee_enrolment_id == mentee.id, Pairing.status == PairingStatus.ENDED))
    excluded = session.scalars(select(RoundExclusion.mentor_enrolment_id).where(
        RoundExclusion.round_id == round_.id, RoundExclusion.mentee_enrolment_id == mentee.id))
    own = session.scalars(select(Enrolment.id).where(
        Enrolment.program_id == round_.program_id, Enrolment.user_id == mentee.user_id,
        Enrolment.role == Role.MENTOR))
    return set(ended) | set(excluded) | set(own)


def pin(session: Session, round_: MatchRound, data: Mapping[str, object],
        cache: matches.MatcherCache) -> RoundProposal:
    """Fix a pair in the draft (replacing the mentee's proposal); Conflict if the pair is
    forbidden, the mentee is paired already or the mentor's free seats are all pinned."""
    _claim_for_edit(session, round_)
    mentee, mentor = _pair(session, round_, data)
    if mentor.id in forbidden_mentors(session, round_, mentee):
        raise Conflict("This pair is excluded: an earlier pairing, an exclusion or the same person.")
    if session.scalar(select(Pairing.id).where(Pairing.mentee_enrolment_id == mentee.id,
                                               Pairing.status == PairingStatus.ACTIVE)):
        raise Conflict(f"{mentee.user.name} already has an active mentor in this program.")
    proposal = session.scalar(select(RoundProposal).where(
        RoundProposal.round_id == round_.id, RoundProposal.mentee_enrolment_id == mentee.id))
    pinned_elsewhere = session.scalar(select(func.count()).select_from(RoundProposal).where(
        RoundProposal.round_id == round_.id, RoundProposal.mentor_enrolment_id == mentor.id,
        RoundProposal.pinned.is_(True), RoundProposal.mentee_enrolment_id != mentee.id)) or 0
    if pinned_elsewhere >= matches.free_seats(mentor):
        raise Conflict(f"{mentor.user.name} has no free seat left for another pinned pair.")
    if proposal is not None and proposal.mentor_enrolment_id == mentor.id:
        proposal.pinned = True
        return proposal
    fit = matches.fitted(session, round_.program, cache)
    assert fit is not None  # the mentor above is one of the program's
    score, reasons = matches.pair_score(fit, mentee, forbidden_mentors(session, round_, mentee),
                                        mentor.id)
    if score == float("-inf"):
        raise Conflict("A hard rule forbids this pair (no shared language or too far apart).")
    if proposal is not None:
        session.delete(proposal)
        session.flush()
    proposal = RoundProposal(round_id=round_.id, mentee_enrolment_id=mentee.id,
                             mentor_enrolment_id=mentor.id, score=score, reasons=reasons,
                             pinned=True)
    session.add(proposal)
    session.flush()
    return proposal


def unpin(session: Session, round_: MatchRound, data: Mapping[str, object]) -> None:
    """Let the engine move the mentee again at the next run."""
    _claim_for_edit(session, round_)
    mentee_id, mentor_id = pair_ids(data)
    proposal = session.scalar(select(RoundProposal).where(
        RoundProposal.round_id == round_.id, RoundProposal.mentee_enrolment_id == mentee_id,
        RoundProposal.mentor_enrolment_id == mentor_id))
    if proposal is None:
        raise Conflict("This pair is not in the draft.")
    proposal.pinned = False


def exclude(session: Session, round_: MatchRound, data: Mapping[str, object]) -> None:
    """Rule a pair out of this round (and its re-runs); its proposal leaves the draft."""
    _claim_for_edit(session, round_)
    mentee, mentor = _pair(session, round_, data)
    try:
        with session.begin_nested():
            session.add(RoundExclusion(round_id=round_.id, mentee_enrolment_id=mentee.id,
                                       mentor_enrolment_id=mentor.id))
            session.flush()
    except IntegrityError:
        pass  # excluded already: the same end state
    session.execute(delete(RoundProposal).where(
        RoundProposal.round_id == round_.id, RoundProposal.mentee_enrolment_id == mentee.id,
        RoundProposal.mentor_enrolment_id == mentor.id))


@dataclass
class Page:
    """One page of a draft's proposals and the first unmatched mentees, with names."""

    proposals: list[RoundProposal]
    total: int
    number: int
    pages: int
    unmatched: list[tuple[Enrolment, str, float | None]]


def draft_page(session: Session, round_: MatchRound, number: int = 1) -> Page:
    """A fixed number of queries whatever the size of the draft."""
    total = session.scalar(select(func.count()).select_from(RoundProposal)
                           .where(RoundProposal.round_id == round_.id)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    proposals = list(session.scalars(
        select(RoundProposal).where(RoundProposal.round_id == round_.id)
        .options(joinedload(RoundProposal.mentee).joinedload(Enrolment.user),
                 joinedload(RoundProposal.mentor).joinedload(Enrolment.user))
        .order_by(RoundProposal.pinned.desc(), RoundProposal.score.desc(), RoundProposal.id)
        .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    left = (round_.report or {}).get("unmatched", [])[:PAGE_SIZE]
    people = {e.id: e for e in session.scalars(
        select(Enrolment).where(Enrolment.id.in_([row[0] for row in left] or [0]))
        .options(joinedload(Enrolment.user)))}
    unmatched = [(people[mentee_id], round_report.WHY[why], best)
                 for mentee_id, why, best in left if mentee_id in people]
    return Page(proposals, total, number, pages, unmatched)


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (a leading quote neutralises it)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def proposals_csv(session: Session, round_: MatchRound) -> Iterator[str]:
    """The draft as CSV, in chunks of ``CSV_BATCH`` rows.

    Each chunk is one query from where the last ended (by id), not one query read from
    a server-side cursor: a page that only reads runs without a transaction on
    PostgreSQL, where such a cursor cannot live.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    query = (select(RoundProposal).where(RoundProposal.round_id == round_.id)
             .options(joinedload(RoundProposal.mentee).joinedload(Enrolment.user),
                      joinedload(RoundProposal.mentor).joinedload(Enrolment.user))
             .order_by(RoundProposal.id).limit(CSV_BATCH))
    last_id = 0
    while batch := list(session.scalars(query.where(RoundProposal.id > last_id))):
        for p in batch:
            writer.writerow([safe_cell(v) for v in (
                p.mentee_enrolment_id, p.mentee.user.name, p.mentee.user.email,
                p.mentor_enrolment_id, p.mentor.user.name, p.mentor.user.email,
                f"{p.score:.4f}", "yes" if p.pinned else "no", "; ".join(p.reasons))])
        last_id = batch[-1].id
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
