"""Reminders (the answer to "time constraints"): what is due, told once a day. Take a
session; never commit.

``send_reminders`` finds, for active pairings only: sessions starting within 24 hours
(both sides), check-ins due today or tomorrow or overdue (both sides), overdue action
items (their owner's side), agreements one side has not accepted (that side), and
pending requests expiring within 48 hours (the mentor). Each becomes a ``notify`` of a
``REMINDER_*`` kind, so the person's channel choice applies and the email goes through
the outbox.

A reminder is given once per thing, person and day (the person's own day, in their time
zone), however often the command runs: a ``ReminderSent`` row with a unique key is
inserted in a savepoint before the notice, and a run that loses the race skips it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mentorship.models import (
    ActionItem,
    Agreement,
    Enrolment,
    MatchRequest,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Profile,
    Program,
    ReminderSent,
    RequestStatus,
    Role,
    User,
)
from mentorship.services.bulk import chunks
from mentorship.services.notifications import Kind, notify_many
from mentorship.services.times import in_zone, long_date
from mentorship.services.workspace import check_ins

SESSION_AHEAD = timedelta(hours=24)
REQUEST_AHEAD = timedelta(hours=48)
CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class Side:
    user_id: int
    name: str
    zone: str | None


@dataclass(frozen=True)
class Pair:
    id: int
    program: str
    mentee: Side
    mentor: Side

    def sides(self) -> tuple[tuple[Side, Side], ...]:
        """(person, partner) for both people."""
        return ((self.mentee, self.mentor), (self.mentor, self.mentee))

    def side(self, role: Role) -> tuple[Side, Side]:
        return (self.mentee, self.mentor) if role == Role.MENTEE else (self.mentor, self.mentee)


@dataclass(frozen=True)
class Reminder:
    """One notice to give: ``key`` is the thing it is about (a session, a pairing ...)."""

    person: Side
    kind: Kind
    key: int
    subject_type: str
    subject_id: int
    data: dict[str, Any]


@dataclass
class Run:
    """What a run did: reminders given per kind, and those already given today."""

    given: Counter[str] = field(default_factory=Counter)
    already: int = 0


def local_day(now: datetime, zone: str | None) -> date:
    return in_zone(now, zone).date()


def at_time(value: datetime, zone: str | None) -> str:
    """'on 8 Dec 2026 at 15:00 (Europe/Berlin)': the person's own clock, said plainly."""
    local = in_zone(value, zone)
    return f"on {long_date(local.date())} at {local:%H:%M} ({zone or 'UTC'})"


def on_day(due: date, today: date) -> str:
    if due == today:
        return "today"
    if due == today + timedelta(days=1):
        return "tomorrow"
    return f"on {long_date(due)}" + (" (overdue)" if due < today else "")


def _pairs(session: Session, ids: Iterable[int]) -> dict[int, Pair]:
    """The active pairings among ``ids`` with both people's names and zones."""
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    mentee_profile, mentor_profile = aliased(Profile), aliased(Profile)
    found: dict[int, Pair] = {}
    for chunk in chunks(sorted(set(ids)), CHUNK):
        rows = session.execute(
            select(Pairing.id, Program.name, mentee_user.id, mentee_user.name,
                   mentee_profile.timezone, mentor_user.id, mentor_user.name,
                   mentor_profile.timezone)
            .join(Program, Program.id == Pairing.program_id)
            .join(mentee, mentee.id == Pairing.mentee_enrolment_id)
            .join(mentee_user, mentee_user.id == mentee.user_id)
            .outerjoin(mentee_profile, mentee_profile.user_id == mentee_user.id)
            .join(mentor, mentor.id == Pairing.mentor_enrolment_id)
            .join(mentor_user, mentor_user.id == mentor.user_id)
            .outerjoin(mentor_profile, mentor_profile.user_id == mentor_user.id)
            .where(Pairing.id.in_(chunk), Pairing.status == PairingStatus.ACTIVE))
        for pid, program, mentee_id, mentee_name, mentee_zone, mentor_id, mentor_name, \
                mentor_zone in rows:
            found[pid] = Pair(pid, program, Side(mentee_id, mentee_name, mentee_zone),
                              Side(mentor_id, mentor_name, mentor_zone))
    return found


def _sessions(session: Session, now: datetime) -> list[Reminder]:
    rows = session.execute(
        select(Meeting.id, Meeting.pairing_id, Meeting.starts_at)
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(Pairing.status == PairingStatus.ACTIVE, Meeting.status == MeetingStatus.SCHEDULED,
               Meeting.starts_at > now, Meeting.starts_at <= now + SESSION_AHEAD)
        .order_by(Meeting.starts_at, Meeting.id)).all()
    pairs = _pairs(session, (pid for _id, pid, _at in rows))
    return [Reminder(me, Kind.REMINDER_SESSION, meeting_id, "pairing", pid,
                     {"partner": partner.name, "when": at_time(starts, me.zone),
                      "program": pairs[pid].program})
            for meeting_id, pid, starts in rows if pid in pairs
            for me, partner in pairs[pid].sides()]


def _active_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Pairing.id).where(Pairing.status == PairingStatus.ACTIVE)
                                .order_by(Pairing.id)))


def _check_ins(session: Session, now: datetime) -> list[Reminder]:
    utc_today = now.date()
    due: dict[int, date] = {}
    for chunk in chunks(sorted(set(_active_ids(session))), CHUNK):
        due |= {pid: c.due_on for pid, c in check_ins(session, chunk, utc_today).items()
                if c.due_on <= utc_today + timedelta(days=2)}  # a day's slack for time zones
    pairs = _pairs(session, due)
    found = []
    for pid, pair in pairs.items():
        for me, partner in pair.sides():
            today = local_day(now, me.zone)
            if due[pid] <= today + timedelta(days=1):
                found.append(Reminder(me, Kind.REMINDER_CHECK_IN, pid, "pairing", pid,
                                      {"partner": partner.name, "when": on_day(due[pid], today),
                                       "program": pair.program}))
    return found


def _action_items(session: Session, now: datetime) -> list[Reminder]:
    rows = session.execute(
        select(ActionItem.pairing_id, ActionItem.owner, ActionItem.due_on)
        .join(Pairing, Pairing.id == ActionItem.pairing_id)
        .where(Pairing.status == PairingStatus.ACTIVE, ActionItem.done_at.is_(None),
               ActionItem.due_on < now.date() + timedelta(days=1))).all()
    pairs = _pairs(session, (pid for pid, _owner, _due in rows))
    overdue: Counter[tuple[int, Role]] = Counter()
    for pid, owner, due_on in rows:
        if pid in pairs and due_on is not None and due_on < local_day(now, pairs[pid].side(owner)[0].zone):
            overdue[pid, owner] += 1
    found = []
    for (pid, owner), count in sorted(overdue.items()):
        me, partner = pairs[pid].side(owner)
        found.append(Reminder(me, Kind.REMINDER_ACTION_ITEMS, pid, "pairing", pid,
                              {"partner": partner.name, "count": count,
                               "program": pairs[pid].program}))
    return found


def _agreements(session: Session) -> list[Reminder]:
    newest = (select(Agreement.pairing_id, func.max(Agreement.number).label("number"))
              .join(Pairing, Pairing.id == Agreement.pairing_id)
              .where(Pairing.status == PairingStatus.ACTIVE)
              .group_by(Agreement.pairing_id).subquery())
    rows = session.execute(
        select(Agreement.id, Agreement.pairing_id, Agreement.mentee_accepted_at,
               Agreement.mentor_accepted_at)
        .join(newest, and_(newest.c.pairing_id == Agreement.pairing_id,
                           newest.c.number == Agreement.number))
        .where(Agreement.mentee_accepted_at.is_(None) | Agreement.mentor_accepted_at.is_(None))
        .order_by(Agreement.pairing_id)).all()
    pairs = _pairs(session, (pid for _id, pid, _a, _b in rows))
    found = []
    for agreement_id, pid, mentee_at, mentor_at in rows:
        if pid not in pairs:
            continue
        for role, accepted in ((Role.MENTEE, mentee_at), (Role.MENTOR, mentor_at)):
            if accepted is None:
                me, partner = pairs[pid].side(role)
                found.append(Reminder(me, Kind.REMINDER_AGREEMENT, agreement_id, "pairing",
                                      pid, {"partner": partner.name,
                                            "program": pairs[pid].program}))
    return found


def _requests(session: Session, now: datetime) -> list[Reminder]:
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    mentee_user, mentor_user = aliased(User), aliased(User)
    rows = session.execute(
        select(MatchRequest.id, MatchRequest.expires_at, Program.name, mentee_user.name,
               mentor_user.id, mentor_user.name, Profile.timezone)
        .join(Program, Program.id == MatchRequest.program_id)
        .join(mentee, mentee.id == MatchRequest.mentee_enrolment_id)
        .join(mentee_user, mentee_user.id == mentee.user_id)
        .join(mentor, mentor.id == MatchRequest.mentor_enrolment_id)
        .join(mentor_user, mentor_user.id == mentor.user_id)
        .outerjoin(Profile, Profile.user_id == mentor_user.id)
        .where(MatchRequest.status == RequestStatus.PENDING, MatchRequest.expires_at > now,
               MatchRequest.expires_at <= now + REQUEST_AHEAD)
        .order_by(MatchRequest.expires_at, MatchRequest.id)).all()
    return [Reminder(Side(user_id, name, zone), Kind.REMINDER_REQUEST, request_id,
                     "match_request", request_id,
                     {"mentee": mentee_name, "program": program,
                      "when": at_time(expires, zone)})
            for request_id, expires, program, mentee_name, user_id, name, zone in rows]


def due_reminders(session: Session, now: datetime) -> list[Reminder]:
    """Every reminder that is due at ``now`` (given today or not)."""
    return (_sessions(session, now) + _check_ins(session, now) + _action_items(session, now)
            + _agreements(session) + _requests(session, now))


def send_reminders(session: Session, now: datetime, reminders: list[Reminder],
                   progress: Callable[[int], object] = lambda _n: None) -> Run:
    """Give each of ``reminders`` not yet given today to its person; returns the tally.

    Work goes in chunks: one query finds what was given already, one savepoint inserts
    the chunk's ``ReminderSent`` rows (row by row, each in its own savepoint, only if a
    run at the same time recorded some first), and ``notify_many`` writes the notices.
    """
    run = Run()
    days = {r.person.user_id: local_day(now, r.person.zone) for r in reminders}

    def key(r: Reminder) -> tuple[int, str, int, date]:
        return (r.person.user_id, r.kind.value, r.key, days[r.person.user_id])
    for chunk in chunks(reminders, CHUNK):
        given = _given(session, {key(r) for r in chunk})
        fresh = list({key(r): r for r in chunk if key(r) not in given}.values())
        recorded = _record(session, [key(r) for r in fresh])
        mine = [r for r in fresh if key(r) in recorded]
        notify_many(session, [(r.person.user_id, r.kind, r.subject_type, r.subject_id, r.data)
                              for r in mine])
        run.given.update(r.kind.value for r in mine)
        run.already += len(chunk) - len(mine)
        progress(len(chunk))
    return run


def _given(session: Session, keys: set[tuple[int, str, int, date]]) -> set[tuple[Any, ...]]:
    """Which of ``keys`` were recorded already (one query)."""
    if not keys:
        return set()
    return {tuple(row) for row in session.execute(
        select(ReminderSent.user_id, ReminderSent.kind, ReminderSent.subject_id,
               ReminderSent.on_day)
        .where(ReminderSent.user_id.in_({k[0] for k in keys}),
               tuple_(ReminderSent.user_id, ReminderSent.kind, ReminderSent.subject_id,
                      ReminderSent.on_day).in_(sorted(keys))))}


def _record(session: Session, keys: list[tuple[int, str, int, date]]
            ) -> set[tuple[int, str, int, date]]:
    """Insert the reminders' unique rows; returns the keys this run recorded (a run at
    the same time may have recorded some first: those are skipped)."""
    rows = [{"user_id": u, "kind": k, "subject_id": s, "on_day": d} for u, k, s, d in keys]
    if not rows:
        return set()
    try:
        with session.begin_nested():
            session.execute(insert(ReminderSent), rows)
        return set(keys)
    except IntegrityError:
        pass
    recorded = set()
    for row, one in zip(rows, keys, strict=True):
        try:
            with session.begin_nested():
                session.execute(insert(ReminderSent), [row])
        except IntegrityError:
            continue
        recorded.add(one)
    return recorded
