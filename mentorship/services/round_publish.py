"""Publishing a round's draft: every pair created in one transaction, or none. Take a
session; never commit.

The draft was solved against the program as it was; since then mentors may have
filled seats or paused, mentees may have been paired through a request, pairs may
have ended. Publishing re-checks every proposal against the present and refuses the
whole round (Conflict, listing each clash) if any no longer holds. The pairings are
then created in bulk under the rules ``pairings.create_pairing`` keeps for one pair (a
conditional seat update, the unique index on a mentee's active pairing), which still
catch whatever changes between the check and the write. One by one, ten thousand
pairings took half a minute; in bulk they take a fraction of a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple, cast

from sqlalchemy import Table, case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mentorship.models import (
    Availability,
    Enrolment,
    MatchRequest,
    MatchRound,
    Pairing,
    PairingSource,
    PairingStatus,
    RequestStatus,
    RoundProposal,
    RoundStatus,
    User,
    utcnow,
)
from mentorship.services import audit
from mentorship.services.audit import Action
from mentorship.services.bulk import bulk_insert
from mentorship.services.errors import Conflict
from mentorship.services.notifications import Kind, notify_many
from mentorship.services.pairings import ended_pairs
from mentorship.services.rounds import check_can_match, claim

SHOWN_CLASHES = 20
CHUNK = 500  # ids per IN list, well under every database's limit


class RoundClashes(Conflict):
    """Proposals that no longer hold; ``clashes`` lists them as sentences."""

    def __init__(self, clashes: Sequence[str]) -> None:
        shown = "; ".join(clashes[:SHOWN_CLASHES])
        more = f"; and {len(clashes) - SHOWN_CLASHES} more" if len(clashes) > SHOWN_CLASHES else ""
        super().__init__(f"Nothing was published: {len(clashes)} proposed pair"
                         f"{'s' if len(clashes) != 1 else ''} no longer hold: {shown}{more}. "
                         "Re-run the round to plan around the changes.")
        self.clashes = list(clashes)


class _Proposal(NamedTuple):
    """A proposal with the little publishing needs of both people (no full ORM objects:
    ten thousand of those take seconds to load)."""

    mentee_id: int
    mentor_id: int
    score: float
    reasons: list[str]
    mentee_user: int
    mentee_name: str
    mentor_user: int
    mentor_name: str
    free_seats: int


def _proposals(session: Session, round_: MatchRound) -> list[_Proposal]:
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    free = case((mentor.availability == Availability.OPEN, mentor.capacity - mentor.seats_taken),
                else_=0)
    rows = session.execute(
        select(RoundProposal.mentee_enrolment_id, RoundProposal.mentor_enrolment_id,
               RoundProposal.score, RoundProposal.reasons, mentee_user.id, mentee_user.name,
               mentor_user.id, mentor_user.name, free)
        .join(mentee, mentee.id == RoundProposal.mentee_enrolment_id)
        .join(mentee_user, mentee_user.id == mentee.user_id)
        .join(mentor, mentor.id == RoundProposal.mentor_enrolment_id)
        .join(mentor_user, mentor_user.id == mentor.user_id)
        .where(RoundProposal.round_id == round_.id).order_by(RoundProposal.id))
    return [_Proposal(*row) for row in rows]


def publish(session: Session, round_: MatchRound, by: User | None = None) -> list[int]:
    """Create every proposed pairing, cancel the matched mentees' pending requests and
    notify both sides; the new pairings' ids. Conflict (nothing changed) if it is not a
    draft or any pair clashes. Recorded in the audit log as ``by``'s action."""
    check_can_match(round_.program)
    claim(session, round_, (RoundStatus.DRAFT,), "Only a draft can be published; this round "
          "is published, discarded or running.", status=RoundStatus.PUBLISHED,
          finished_at=utcnow())
    proposals = _proposals(session, round_)
    clashes = _clashes(session, round_, proposals)
    if clashes:
        raise RoundClashes(clashes)
    pairings = _create_pairings(session, round_, proposals)
    program = round_.program.name
    notify_many(session, [
        (user_id, Kind.PAIRED_BY_ROUND, "pairing", pairing_id,
         {"partner": partner, "program": program})
        for p, pairing_id in zip(proposals, pairings, strict=True)
        for user_id, partner in ((p.mentee_user, p.mentor_name), (p.mentor_user, p.mentee_name))])
    _cancel_requests(session, proposals, program)
    audit.record(session, by, Action.ROUND_PUBLISHED, program_id=round_.program_id,
                 target=f"round:{round_.id}", pairings=len(pairings))
    return pairings


def _cancel_requests(session: Session, proposals: Sequence[_Proposal], program: str) -> None:
    """Cancel the matched mentees' pending requests and tell each mentor asked, in bulk."""
    names = {p.mentee_id: p.mentee_name for p in proposals}
    mentee_ids = list(names)
    mentor = aliased(Enrolment)
    for start in range(0, len(mentee_ids), CHUNK):
        cancelled = session.execute(
            update(MatchRequest).where(
                MatchRequest.mentee_enrolment_id.in_(mentee_ids[start:start + CHUNK]),
                MatchRequest.status == RequestStatus.PENDING)
            .values(status=RequestStatus.CANCELLED, decided_at=utcnow())
            .returning(MatchRequest.id, MatchRequest.mentee_enrolment_id,
                       MatchRequest.mentor_enrolment_id)
            .execution_options(synchronize_session=False)).all()
        if not cancelled:
            continue
        users = dict(session.execute(select(mentor.id, mentor.user_id).where(
            mentor.id.in_({row[2] for row in cancelled}))).all())
        notify_many(session, [
            (users[mentor_id], Kind.REQUEST_CANCELLED, "match_request", request_id,
             {"mentee": names[mentee_id], "program": program,
              "reason": "they were paired by a matching round"})
            for request_id, mentee_id, mentor_id in cancelled])


def _create_pairings(session: Session, round_: MatchRound,
                     proposals: Sequence[_Proposal]) -> list[int]:
    """Every pairing of the round in bulk, under the rules ``create_pairing`` keeps one by
    one: each mentor's seats are taken by a conditional UPDATE (all or Conflict), and a
    mentee paired meanwhile breaks the partial unique index (Conflict). Both run in a
    savepoint, so a refusal leaves nothing half done; the ids come back in order."""
    wanted = Counter(p.mentor_id for p in proposals)
    seats = cast(Table, Enrolment.__table__)
    pairings = cast(Table, Pairing.__table__)
    try:
        with session.begin_nested():
            mentors = list(wanted.items())
            for start in range(0, len(mentors), CHUNK):
                part = dict(mentors[start:start + CHUNK])
                extra = case(part, value=seats.c.id, else_=0)
                taken = session.execute(
                    update(seats).where(seats.c.id.in_(part),
                                        seats.c.availability == Availability.OPEN.value,
                                        seats.c.seats_taken + extra <= seats.c.capacity)
                    .values(seats_taken=seats.c.seats_taken + extra))
                if taken.rowcount != len(part):  # type: ignore[attr-defined]
                    raise Conflict("A mentor's seats were taken while the round was "
                                   "published. Re-run the round.")
            # The database's bulk path (COPY on PostgreSQL), every column given; the ids
            # are read back by mentee in one query (a mentee has one pairing per round).
            now = utcnow()
            bulk_insert(session, pairings, [
                {"program_id": round_.program_id, "mentee_enrolment_id": p.mentee_id,
                 "mentor_enrolment_id": p.mentor_id, "source": PairingSource.ROUND,
                 "status": PairingStatus.ACTIVE, "score": p.score, "reasons": p.reasons,
                 "request_id": None, "round_id": round_.id, "started_at": now,
                 "ended_at": None, "ended_by_id": None, "end_reason": None, "end_note": "",
                 "last_session_at": None} for p in proposals])
            made = dict(session.execute(select(pairings.c.mentee_enrolment_id, pairings.c.id)
                                        .where(pairings.c.round_id == round_.id)).all())
            ids = [made[p.mentee_id] for p in proposals]
    except IntegrityError:
        raise Conflict("A mentee was paired while the round was published. "
                       "Re-run the round.") from None
    session.expire_all()  # seats changed by SQL: loaded enrolments must not show old counts
    return list(ids)


def _clashes(session: Session, round_: MatchRound,
             proposals: Sequence[_Proposal]) -> list[str]:
    """Each proposal that the present contradicts, as a sentence naming the pair."""
    mentee_ids = [p.mentee_id for p in proposals]
    paired: set[int] = set()
    for start in range(0, len(mentee_ids), CHUNK):
        paired |= set(session.scalars(select(Pairing.mentee_enrolment_id).where(
            Pairing.mentee_enrolment_id.in_(mentee_ids[start:start + CHUNK]),
            Pairing.status == PairingStatus.ACTIVE)))
    ended = ended_pairs(session, round_.program_id)
    wanted = Counter(p.mentor_id for p in proposals)
    clashes = []
    for p in proposals:
        pair = f"{p.mentee_name} – {p.mentor_name}"
        if p.mentee_id in paired:
            clashes.append(f"{pair}: {p.mentee_name} already has a mentor")
        elif (p.mentee_id, p.mentor_id) in ended:
            clashes.append(f"{pair}: they worked together before")
        elif p.free_seats < wanted[p.mentor_id]:
            clashes.append(f"{pair}: {p.mentor_name} has {max(0, p.free_seats)} free seat(s) "
                           f"for {wanted[p.mentor_id]} proposed mentees")
    return clashes
