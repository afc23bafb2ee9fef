"""The pair's sessions: schedule, change, cancel, prepare, log. Take a session; never commit.

A session's start is entered in the writer's own time zone and stored as naive UTC, so
each side reads it in theirs. ``sequence`` (the calendar's SEQUENCE) moves on every
change a calendar shows; ``version`` guards two open forms against each other. Logging
happens once, from the start time on; the next steps of a log become action items.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorship.models import (
    DURATION_MAX,
    DURATION_MIN,
    ActionItem,
    Meeting,
    MeetingStatus,
    Pairing,
    Role,
    User,
    utcnow,
)
from mentorship.services import session_counts
from mentorship.services.errors import Conflict, FieldErrors, StaleEdit
from mentorship.services.fields import REQUIRED
from mentorship.services.notifications import Kind, notify
from mentorship.services.specs import Field, Spec, choices_of, column_length
from mentorship.services.times import from_zone, in_zone, long_date, zone_of
from mentorship.services.versions import apply_changes, changed_fields, expected_version
from mentorship.services.workspace import of_pairing, require_active, role_in

STEP_MAX = column_length(ActionItem.title)
STEPS_MAX = 20
TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
OWNER_PREFIX = re.compile(r"^(mentee|mentor)\s*:\s*", re.IGNORECASE)

FIRST_AGENDA = """Preparation: what each of us brings (see the prep notes)
Open dialogue: where you are now, what is going well, what is hard
Goal setting: one to three goals for this mentorship, and how we will know
Feedback and guidance: what would help most, and how you like feedback
Follow-up: next steps, who owns each, and our next check-in"""
LATER_AGENDA = """Since last time:
What is on my mind:
Where I want help:
Next steps:"""

MEETING = Spec((
    Field("start_date", "Date", kind="date", required=True),
    Field("start_time", "Start time", required=True, max_length=5,
          help="24-hour clock, e.g. 14:30, in your own time zone."),
    Field("duration_minutes", "Length (minutes)", kind="int", required=True,
          low=DURATION_MIN, high=DURATION_MAX, default=60),
    Field("location", "Where", max_length=column_length(Meeting.location),
          help="A place, or a video-call link."),
    Field("agenda", "Agenda", kind="textarea", max_length=4000),
))
# What is stored (and what the API reads and writes): the start as one UTC instant.
STORED = Spec((
    Field("starts_at", "Start"),
    MEETING["duration_minutes"], MEETING["location"], MEETING["agenda"],
))
OUTCOMES = {MeetingStatus.COMPLETED.value: "We met", MeetingStatus.MISSED.value: "It did not happen"}
LOG = Spec((
    Field("outcome", "How did it go?", kind="choice", enum=MeetingStatus, required=True,
          default=MeetingStatus.COMPLETED,
          choices=tuple((v, label) for v, label in OUTCOMES.items())),
    Field("discussed", "What we discussed", kind="textarea", max_length=4000),
    Field("guidance", "Guidance given", kind="textarea", max_length=4000),
    Field("next_steps", "Next steps", kind="textarea", max_length=STEPS_MAX * (STEP_MAX + 10),
          help="One per line; each becomes an action item. Start a line with 'Mentor:' "
               "for a step the mentor owns."),
    Field("owner", "Steps are owned by", kind="choice", enum=Role, default=Role.MENTEE,
          choices=choices_of(Role)),
    Field("due_on", "Steps due by", kind="date"),
    Field("next_check_in", "Next check-in", kind="date",
          help="When you will look at the next steps together."),
))
LOG_STORED = Spec((Field("status", "Status", kind="choice", enum=MeetingStatus,
                         choices=choices_of(MeetingStatus)),
                   LOG["discussed"], LOG["guidance"], LOG["next_check_in"]))
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "location", "agenda")
CLOSED = {MeetingStatus.CANCELLED: "This session was cancelled.",
          MeetingStatus.COMPLETED: "This session has been logged.",
          MeetingStatus.MISSED: "This session has been logged as missed."}


def ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def spoken(value: datetime, zone: str | None) -> str:
    """A stored time as a person reads it in ``zone``: '9 Dec 2026, 15:00 CET'."""
    local = in_zone(value, zone)
    return f"{long_date(local.date())}, {local:%H:%M} {local.tzname()}"


def get_meeting(session: Session, pairing: Pairing, meeting_id: int) -> Meeting:
    """A session of ``pairing`` (the caller loaded it for a participant); NotFound otherwise."""
    return of_pairing(session, pairing, Meeting, meeting_id, "session")


def meetings_of(session: Session, pairing: Pairing) -> list[Meeting]:
    """Every session of the pair, latest start first: one query."""
    return list(session.scalars(select(Meeting).where(Meeting.pairing_id == pairing.id)
                                .order_by(Meeting.starts_at.desc(), Meeting.id.desc())))


def agenda_template(session: Session, pairing: Pairing) -> str:
    """The five elements for a pair's first session; the short check-in after that."""
    held = session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.pairing_id == pairing.id, Meeting.status != MeetingStatus.CANCELLED)) or 0
    return LATER_AGENDA if held else FIRST_AGENDA


def local_start(meeting: Meeting, zone: str | None) -> dict[str, str]:
    """The start as the edit form shows it, in ``zone``."""
    local = in_zone(meeting.starts_at, zone)
    return {"start_date": local.date().isoformat(), "start_time": f"{local:%H:%M}"}


def _clean_start(data: Mapping[str, object], zone: str | None) -> datetime | None:
    """UTC start from the form's date and time (entered in ``zone``), or the API's ``starts_at``."""
    if "starts_at" in data:
        return clean_instant(data["starts_at"], zone)
    if "start_date" not in data and "start_time" not in data:
        return None
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = MEETING["start_date"].clean(data.get("start_date"))
    except ValueError as exc:
        errors["start_date"] = str(exc)
    if day is None and not errors:
        errors["start_date"] = REQUIRED
    raw = data.get("start_time")
    text = raw.strip() if isinstance(raw, str) else ""
    match = TIME_RE.fullmatch(text)
    if not match:
        errors["start_time"] = REQUIRED if not text else "Use a time like 14:30."
    if errors or day is None or match is None:
        raise FieldErrors(errors)
    return from_zone(datetime.combine(day, time(int(match[1]), int(match[2]))), zone)


def clean_instant(value: object, zone: str | None) -> datetime:
    """An ISO 8601 date-time as naive UTC; one without an offset is read in ``zone``."""
    message = "Use a date-time like 2027-01-31T14:30:00Z."
    if not isinstance(value, str) or not value.strip():
        raise FieldErrors({"starts_at": REQUIRED if value in (None, "") else message})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldErrors({"starts_at": message}) from None
    if parsed.tzinfo is None:
        return from_zone(parsed, zone)
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _clean_plan(data: Mapping[str, object], zone: str | None, *, partial: bool,
                current: datetime | None = None) -> dict[str, Any]:
    """The stored values of a schedule or edit, every field's message at once. A new start
    must be from now on; a session's unchanged start (``current``) may have passed."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        start = _clean_start(data, zone)
        if start is not None:  # to the minute, as the form shows it
            values["starts_at"] = start.replace(second=0, microsecond=0)
        elif not partial:
            errors["start_date"] = REQUIRED
    except FieldErrors as exc:
        errors |= exc.fields
    names = STORED.names[1:]
    rest = ({name: data.get(name, STORED[name].default) for name in names} if not partial
            else {k: v for k, v in data.items() if k in names})
    try:
        values |= STORED.clean(rest)
    except FieldErrors as exc:
        errors |= exc.fields
    start = values.get("starts_at")
    if start is not None and start != current and start < utcnow() - timedelta(minutes=1):
        errors["starts_at" if "starts_at" in data else "start_date"] = "Choose a time from now on."
    if errors:
        raise FieldErrors(errors)
    return values


def _tell(session: Session, pairing: Pairing, user: User, kind: Kind, meeting: Meeting) -> None:
    partner = (pairing.mentor if role_in(pairing, user) == Role.MENTEE else pairing.mentee).user
    notify(session, partner.id, kind, "pairing", pairing.id, meeting_id=meeting.id,
           partner=user.name, when=spoken(meeting.starts_at, zone_of(partner)),
           program=pairing.program.name)


def schedule(session: Session, pairing: Pairing, user: User, data: Mapping[str, object]
             ) -> Meeting:
    """Plan a session (start entered in ``user``'s zone); the partner is told."""
    require_active(pairing)
    values = _clean_plan(data, zone_of(user), partial=False)
    meeting = Meeting(pairing_id=pairing.id, created_by_id=user.id, **values)
    session.add(meeting)
    session.flush()
    _tell(session, pairing, user, Kind.SESSION_SCHEDULED, meeting)
    return meeting


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(CLOSED[meeting.status] + " It can no longer be changed.")


def change(session: Session, pairing: Pairing, meeting: Meeting, user: User,
           data: Mapping[str, object], *, version: object) -> Meeting:
    """Change a planned session; a change a calendar shows moves SEQUENCE on."""
    require_active(pairing)
    _require_scheduled(meeting)
    values = _clean_plan(data, zone_of(user), partial=True, current=meeting.starts_at)
    expected = expected_version(version)
    if expected is not None and expected != meeting.version:  # report only what was sent
        raise StaleEdit(changed_fields(meeting, values, STORED), meeting.version)
    changed = [name for name in CALENDAR_FIELDS
               if name in values and values[name] != getattr(meeting, name)]
    if changed:
        values |= {"sequence": meeting.sequence + 1, "updated_at": utcnow()}
    apply_changes(session, meeting, values, version=version, spec=_spec_for(values, STORED))
    if changed:
        _tell(session, pairing, user, Kind.SESSION_CHANGED, meeting)
    return meeting


def cancel(session: Session, pairing: Pairing, meeting: Meeting, user: User) -> Meeting:
    """Cancel a planned session (cancelling twice changes nothing); the partner is told."""
    require_active(pairing)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    _require_scheduled(meeting)
    values = {"status": MeetingStatus.CANCELLED, "sequence": meeting.sequence + 1,
              "updated_at": utcnow()}
    # Conditional on the version read, so a log saved at the same moment makes this a 409.
    apply_changes(session, meeting, values, version=None, spec=_spec_for(values, STORED))
    _tell(session, pairing, user, Kind.SESSION_CANCELLED, meeting)
    return meeting


def _spec_for(values: Mapping[str, Any], spec: Spec) -> Spec:
    """``spec`` plus the bookkeeping columns in ``values``, for a conflict's report."""
    return Spec(tuple(spec.by_name.get(name) or Field(name, name) for name in values))


def _require_loggable(meeting: Meeting, *, editing: bool) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("A cancelled session cannot be logged.")
    if meeting.status != MeetingStatus.SCHEDULED and not editing:
        raise Conflict("This session has already been logged: edit the log instead.")
    if meeting.status == MeetingStatus.SCHEDULED and editing:
        raise Conflict("This session has not been logged yet.")
    if meeting.starts_at > utcnow():
        raise Conflict("A session can be logged from its start time on.")


def steps(text: str, default_owner: Role) -> list[tuple[str, Role]]:
    """Next steps, one per line: (title, owner); a 'Mentor:' or 'Mentee:' prefix sets the owner."""
    found: list[tuple[str, Role]] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*•").strip()
        prefix = OWNER_PREFIX.match(line)
        title = line[prefix.end():].strip() if prefix else line
        if title:
            found.append((title, Role(prefix[1].lower()) if prefix else default_owner))
    if len(found) > STEPS_MAX:
        raise FieldErrors({"next_steps": f"Write at most {STEPS_MAX} next steps."})
    if any(len(title) > STEP_MAX for title, _ in found):
        raise FieldErrors({"next_steps": f"Keep each step under {STEP_MAX} characters."})
    return found


def log(session: Session, pairing: Pairing, meeting: Meeting, user: User,
        data: Mapping[str, object], *, editing: bool = False, version: object = None) -> Meeting:
    """Log a session (once; ``editing`` changes a log); its next steps become action items."""
    require_active(pairing)
    _require_loggable(meeting, editing=editing)
    values = LOG.clean({k: v for k, v in data.items() if k in LOG.names}
                       | {"outcome": data.get("outcome", MeetingStatus.COMPLETED.value)})
    check_in = values.get("next_check_in")
    if check_in is not None and check_in < meeting.starts_at.date() - timedelta(days=1):
        raise FieldErrors({"next_check_in": "Choose a date after the session."})
    if check_in is None and values["outcome"] == MeetingStatus.MISSED:
        check_in = _check_in_in_force(session, pairing, meeting)  # a missed session moves nothing
    planned = steps(values.get("next_steps", ""), values.get("owner") or Role.MENTEE)
    stored = {"status": values["outcome"], "discussed": values.get("discussed", ""),
              "guidance": values.get("guidance", ""), "next_check_in": check_in}
    expected = expected_version(version)  # a malformed version is refused in any case
    if editing and expected is not None and expected != meeting.version:
        raise StaleEdit(changed_fields(meeting, stored, LOG_STORED), meeting.version)
    now = utcnow()
    stored |= {"updated_at": now} | ({} if editing else {"logged_by_id": user.id, "logged_at": now})
    before = meeting.status
    # One conditional UPDATE: of two logs saved at the same moment, the second is a 409.
    apply_changes(session, meeting, stored, version=None, spec=_spec_for(stored, LOG_STORED))
    session_counts.status_changed(session, pairing, meeting, before)
    _replace_steps(session, pairing, meeting, user, planned, values.get("due_on"))
    session.flush()
    if not editing:
        _tell(session, pairing, user, Kind.SESSION_LOGGED, meeting)
    return meeting


def _check_in_in_force(session: Session, pairing: Pairing, meeting: Meeting) -> date | None:
    """The next check-in the pair's latest other log set, if any."""
    return session.scalar(select(Meeting.next_check_in).where(
        Meeting.pairing_id == pairing.id, Meeting.id != meeting.id,
        Meeting.logged_at.is_not(None)).order_by(Meeting.logged_at.desc(), Meeting.id.desc())
        .limit(1))


def _replace_steps(session: Session, pairing: Pairing, meeting: Meeting, user: User,
                   planned: list[tuple[str, Role]], due_on: date | None) -> None:
    """Make the session's open action items match ``planned``; done ones stay as they are."""
    existing = list(session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)))
    kept = {(item.title, item.owner) for item in existing}
    for item in existing:
        if item.done_at is None and (item.title, item.owner) not in planned:
            session.delete(item)
    for title, owner in planned:
        if (title, owner) not in kept:
            session.add(ActionItem(pairing_id=pairing.id, meeting_id=meeting.id, title=title,
                                   owner=owner, due_on=due_on, created_by_id=user.id))


def steps_text(items: list[ActionItem]) -> str:
    """A log's action items as the edit form shows them (owners other than the mentee named)."""
    return "\n".join(("Mentor: " if item.owner == Role.MENTOR else "") + item.title
                     for item in items)


def action_items(session: Session, meeting_ids: list[int]) -> dict[int, list[ActionItem]]:
    """Per session, the action items its log created: one query."""
    found: dict[int, list[ActionItem]] = defaultdict(list)
    if not meeting_ids:
        return found
    for item in session.scalars(select(ActionItem).where(ActionItem.meeting_id.in_(meeting_ids))
                                .order_by(ActionItem.id)):
        assert item.meeting_id is not None
        found[item.meeting_id].append(item)
    return found
