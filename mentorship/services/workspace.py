"""What every section of a pair's workspace shares: who is who, the read-only rule after
the end, and the "up next" panel. Take a session; never commit.

The workspace is private to the pair: load the pairing with
``pairings.get_pairing_for_participant`` (NotFound for anyone else, admins too) and
every object of it through that pairing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnExpressionArgument,
    CompoundSelect,
    Label,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    cast,
    func,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from mentorship.models import (
    ActionItem,
    Enrolment,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Role,
    User,
    utcnow,
)
from mentorship.services.errors import Conflict, NotFound

T = TypeVar("T")
READ_ONLY = "This mentorship has ended: its workspace can be read but no longer changed."
UP_NEXT_SESSIONS = 3
UP_NEXT_ITEMS = 5
CHECK_IN_HORIZON = timedelta(days=7)


def require_active(pairing: Pairing) -> None:
    """Refuse any change to an ended pairing's workspace (409)."""
    if pairing.status != PairingStatus.ACTIVE:
        raise Conflict(READ_ONLY)


def of_pairing(session: Session, pairing: Pairing, model: type[T], item_id: int, what: str) -> T:
    """The ``model`` row ``item_id`` if it belongs to ``pairing`` (loaded for a participant);
    NotFound, as for a missing id, for a row of any other pair."""
    item = session.get(model, item_id)
    if item is None or getattr(item, "pairing_id", None) != pairing.id:
        raise NotFound(what)
    return item


def role_in(pairing: Pairing, user: User) -> Role:
    """``user``'s side of ``pairing`` (the caller has checked they are in it)."""
    return Role.MENTEE if pairing.mentee.user_id == user.id else Role.MENTOR


@dataclass
class CheckIn:
    """The next check-in a session log set, and whether its date has passed."""

    pairing_id: int
    due_on: date
    overdue: bool


@dataclass
class UpNext:
    """The panel beside every section: what the pair should do next."""

    sessions: list[Meeting] = field(default_factory=list)
    check_in: CheckIn | None = None
    open_items: list[ActionItem] = field(default_factory=list)
    overdue_items: int = 0


def check_in_due(pairing_id: ColumnExpressionArgument[int]) -> ScalarSelect[date | None]:
    """The check-in in force for ``pairing_id``, as a column: the date its most recently
    logged session set (None if that log set none, or nothing is logged yet)."""
    return (select(Meeting.next_check_in)
            .where(Meeting.pairing_id == pairing_id, Meeting.logged_at.is_not(None))
            .order_by(Meeting.logged_at.desc(), Meeting.id.desc()).limit(1)
            .scalar_subquery())


# The dashboard's reads are built on first use and kept: it asks on every visit, and a
# statement built once keeps its SQL cache key, so a visit pays neither for building it
# nor for keying the cache.
@cache
def _check_ins() -> Select[int, date | None]:
    """Per pairing of ``pairing_ids``, the check-in in force."""
    return (select(Pairing.id, check_in_due(Pairing.id))
            .where(Pairing.id.in_(bindparam("pairing_ids", expanding=True))))


@cache
def _follow_up_rows() -> CompoundSelect:
    """The next scheduled sessions of ``pairing_ids`` from ``since``, then the user's own
    (by ``user_id``) overdue open action items of them, at most ``limit`` of each, in
    one statement: ``(pairing_id, id, starts_at, title, due_on)``, a session's row with
    no title, an item's with no start. The dashboard shows what, when, and with whom."""
    pairing_ids: BindParameter[int] = bindparam("pairing_ids", expanding=True)
    sessions = (select(Meeting.pairing_id, Meeting.id, Meeting.starts_at,
                       _typed_null(ActionItem.title), _typed_null(ActionItem.due_on))
                .where(Meeting.pairing_id.in_(pairing_ids),
                       Meeting.status == MeetingStatus.SCHEDULED,
                       Meeting.starts_at >= bindparam("since"))
                .order_by(Meeting.starts_at, Meeting.id).limit(bindparam("limit")))
    mine = select(Enrolment.id).where(Enrolment.user_id == bindparam("user_id"))
    my_side = (and_(ActionItem.owner == Role.MENTEE, Pairing.mentee_enrolment_id.in_(mine))
               | and_(ActionItem.owner == Role.MENTOR, Pairing.mentor_enrolment_id.in_(mine)))
    items = (select(ActionItem.pairing_id, ActionItem.id, _typed_null(Meeting.starts_at),
                    ActionItem.title, ActionItem.due_on)
             .join(Pairing, Pairing.id == ActionItem.pairing_id)
             .where(ActionItem.pairing_id.in_(pairing_ids), ActionItem.done_at.is_(None),
                    ActionItem.due_on < bindparam("today"), my_side)
             .order_by(ActionItem.due_on, ActionItem.id).limit(bindparam("limit")))
    # Each side in a subquery of its own, so each keeps its order and limit.
    return union_all(select(sessions.subquery()), select(items.subquery()))


def _typed_null(column: InstrumentedAttribute[T]) -> Label[T]:
    """NULL as ``column``'s type and named as it, for the side of a UNION without it:
    PostgreSQL will not match an untyped NULL with a date, and the rows' values are read
    as that type."""
    return cast(null(), column.type).label(column.key)


def check_ins(session: Session, pairing_ids: Sequence[int], today: date) -> dict[int, CheckIn]:
    """The check-in in force per pairing: the date the latest session log set (if any)."""
    if not pairing_ids:
        return {}
    rows = session.execute(_check_ins(), {"pairing_ids": list(pairing_ids)})
    return check_ins_from(rows, today)


def check_ins_from(rows: Iterable[tuple[int, date | None]], today: date) -> dict[int, CheckIn]:
    """The check-ins of (pairing id, date in force) rows, as of ``today``."""
    return {pid: CheckIn(pid, due, due < today) for pid, due in rows if due is not None}


def up_next(session: Session, pairing: Pairing, today: date, now: datetime | None = None
            ) -> UpNext:
    """The next sessions, the check-in in force, and the open action items (soonest first)."""
    now = now or utcnow()
    sessions = list(session.scalars(
        select(Meeting).where(Meeting.pairing_id == pairing.id,
                              Meeting.status == MeetingStatus.SCHEDULED,
                              Meeting.starts_at >= now - timedelta(hours=1))
        .order_by(Meeting.starts_at).limit(UP_NEXT_SESSIONS)))
    open_items = select(ActionItem).where(ActionItem.pairing_id == pairing.id,
                                          ActionItem.done_at.is_(None))
    items = list(session.scalars(open_items.order_by(ActionItem.due_on.is_(None),
                                                     ActionItem.due_on, ActionItem.id)
                                 .limit(UP_NEXT_ITEMS)))
    overdue = session.scalar(select(func.count()).select_from(open_items.where(
        ActionItem.due_on < today).subquery())) or 0
    return UpNext(sessions, check_ins(session, [pairing.id], today).get(pairing.id), items,
                  overdue)


@dataclass(frozen=True)
class NextSession:
    """A scheduled session on the dashboard: when, and in which pairing."""

    pairing_id: int
    starts_at: datetime


@dataclass(frozen=True)
class OverdueItem:
    """One of the person's own overdue action items on the dashboard."""

    pairing_id: int
    title: str
    due_on: date


@dataclass
class FollowUps:
    """A person's follow-ups across all their active pairings, for the dashboard."""

    sessions: list[NextSession] = field(default_factory=list)
    check_ins_due: list[CheckIn] = field(default_factory=list)
    overdue_check_ins: list[CheckIn] = field(default_factory=list)
    overdue_items: list[OverdueItem] = field(default_factory=list)
    pairings: dict[int, Pairing] = field(default_factory=dict)


def follow_ups(session: Session, user: User, active: list[Pairing],
               check_ins_in_force: dict[int, CheckIn], today: date,
               *, now: datetime | None = None, limit: int = 10) -> FollowUps:
    """Next sessions, check-ins due within a week, overdue check-ins, and the user's own
    overdue action items, over ``active`` (the user's active pairings, whose check-ins in
    force the caller read with them): one query."""
    if not active:
        return FollowUps()
    now = now or utcnow()
    rows = session.execute(_follow_up_rows(), {
        "pairing_ids": [p.id for p in active], "limit": limit, "user_id": user.id,
        "since": now - timedelta(hours=1), "today": today}).all()
    sessions = sorted((row for row in rows if row.starts_at is not None),
                      key=lambda row: (row.starts_at, row.id))
    items = sorted((row for row in rows if row.starts_at is None),
                   key=lambda row: (row.due_on, row.id))
    due = sorted(check_ins_in_force.values(), key=lambda c: c.due_on)
    return FollowUps(sessions=[NextSession(row.pairing_id, row.starts_at) for row in sessions],
                     check_ins_due=[c for c in due if not c.overdue
                                    and c.due_on <= today + CHECK_IN_HORIZON],
                     overdue_check_ins=[c for c in due if c.overdue],
                     overdue_items=[OverdueItem(row.pairing_id, row.title, row.due_on)
                                    for row in items],
                     pairings={p.id: p for p in active})
