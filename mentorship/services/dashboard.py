"""What a signed-in person's home page shows, read in as few queries as it allows.

Every visit after signing in lands here, so each figure rides on a row the page reads
anyway: the requests waiting for a mentor on their enrolment's row, a pair's unread
messages and check-in in force on its pairing's row, an admin's program counts on the
program rows. Takes a session; never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, outerjoin, select, true
from sqlalchemy.orm import Session, joinedload, load_only

from mentorship.models import Enrolment, Pairing, PairingStatus, Program, User, utcnow
from mentorship.services import programs, request_queries, thread, workspace


@dataclass
class Mentoring:
    """Per enrolment of the person: the active pairing of each mentee enrolment, and the
    requests waiting for each mentor enrolment's answer (left out when none)."""

    mentor_of: dict[int, Pairing]
    waiting: dict[int, int]


@dataclass
class Home:
    """The home page's figures, named as its template reads them."""

    enrolments: list[Enrolment]
    all_programs: list[Program]
    open_programs: list[Program]
    overview: dict[int, dict[str, int]] | None  # admins only: counts per program
    active_pairings: list[Pairing]
    unread_threads: dict[int, int]
    follow_ups: workspace.FollowUps
    mentoring: Mentoring


# What the page shows of a pairing and of each side of it (the person's own side is
# loaded whole already): a column read costs on every visit, the database driver
# describing each one, and anything else the page touched would raise in the tests.
PAIRING_SHOWN = (Pairing.program_id, Pairing.mentee_enrolment_id, Pairing.mentor_enrolment_id,
                 Pairing.status, Pairing.started_at)
PERSON_SHOWN = (Enrolment.user_id, Enrolment.program_id, Enrolment.role)


# Built on first use and kept: a statement built once keeps its SQL cache key, so a
# visit pays neither for building it nor for keying the cache.
@cache
def _programs_query(*, drafts: bool) -> Select[Program, Enrolment | None, int, bool,
                                               Pairing | None, int, date | None]:
    """Every program the person may see, with their enrolments in it and each
    enrolment's active pairings: a row per (program, enrolment, pairing), None for an
    enrolment or pairing they do not have. A draft they are enrolled in comes too, for
    its enrolment's card, but only admins have drafts listed (``listed``).

    Each row also counts the requests waiting at ``now`` for a mentor enrolment, and the
    pairing's messages ``user_id`` has not read and its check-in in force. A pairing
    comes with both people; its program is its enrolment's, on the same row.
    """
    user_id = bindparam("user_id", type_=Integer)
    paired = and_(Pairing.status == PairingStatus.ACTIVE,
                  (Pairing.mentee_enrolment_id == Enrolment.id)
                  | (Pairing.mentor_enrolment_id == Enrolment.id))
    # The person's enrolments joined to their pairings first, then to the programs:
    # SQLite finds the pairings of each enrolment by index only in this nesting (in a
    # flat LEFT JOIN it indexes the whole pairings table on every visit).
    theirs = outerjoin(Enrolment, Pairing, paired)
    mine = and_(Enrolment.program_id == Program.id, Enrolment.user_id == user_id)
    listed = true() if drafts else programs.shown_to_members()
    query = (select(Program, Enrolment,
                    request_queries.waiting_for(Enrolment.id, bindparam("now")),
                    listed.label("listed"), Pairing,
                    thread.unread_messages(Pairing.id, user_id),
                    workspace.check_in_due(Pairing.id))
             .select_from(Program).outerjoin(theirs, mine)
             .options(load_only(*PAIRING_SHOWN, raiseload=True),
                      *(joinedload(side).load_only(*PERSON_SHOWN, raiseload=True)
                        .joinedload(Enrolment.user).load_only(User.name, raiseload=True)
                        for side in (Pairing.mentee, Pairing.mentor)))
             .order_by(*programs.LISTED_ORDER))
    if drafts:
        return programs.with_counts(query)
    return query.where(listed | Enrolment.id.is_not(None))


def home(session: Session, user: User, today: date, *, now: datetime | None = None) -> Home:
    """Everything the home page shows ``user`` (``today`` in their time zone): one
    query, one more for the follow-ups of someone in an active pairing."""
    now = now or utcnow()
    rows = session.execute(_programs_query(drafts=user.is_admin),
                           {"user_id": user.id, "now": now}).all()
    visible = list(dict.fromkeys(program for program, _, _, listed, *_ in rows if listed))
    # An enrolment comes on a row per active pairing of it; a pairing on one row.
    enrolment_rows = sorted(dict.fromkeys((e, n) for _, e, n, *_ in rows if e is not None),
                            key=lambda row: (row[0].created_at, row[0].id))
    enrolments = [enrolment for enrolment, _ in enrolment_rows]
    enrolled = {e.program_id for e in enrolments}
    pairing_rows = sorted(((pairing, unread, due) for *_, pairing, unread, due in rows
                           if pairing is not None),
                          key=lambda row: (row[0].started_at, row[0].id), reverse=True)
    active = [pairing for pairing, _, _ in pairing_rows]
    check_ins = workspace.check_ins_from(((p.id, due) for p, _, due in pairing_rows), today)
    return Home(
        enrolments=enrolments,
        all_programs=visible,
        open_programs=[p for p in visible if p.is_open_for_enrolment and p.id not in enrolled],
        overview=programs.counts_of(visible) if user.is_admin else None,
        active_pairings=active,
        unread_threads={p.id: unread for p, unread, _ in pairing_rows if unread},
        follow_ups=workspace.follow_ups(session, user, active, check_ins, today, now=now),
        mentoring=Mentoring(
            mentor_of={p.mentee_enrolment_id: p for p in active if p.mentee.user_id == user.id},
            waiting={e.id: n for e, n in enrolment_rows if n}))
