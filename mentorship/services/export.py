"""The whole workspace of a pair as one document, for either side to keep.

What it holds: the agreement (every version), the thread, the sessions with their
prep notes and logs, the goals with their action items, the feedback the reader wrote,
and both reflections. The partner's feedback stays out: it was written for the
reader to read in the workspace, not to be carried away. A fixed number of queries,
however long the mentorship ran.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import (
    ActionItem,
    Agreement,
    Feedback,
    Goal,
    Meeting,
    Message,
    Pairing,
    PrepNote,
    Reflection,
    User,
)
from mentorship.services.markdown import to_html
from mentorship.services.times import in_zone, long_date, zone_of
from mentorship.services.workspace import role_in

FORMER = "A former member"


class _Writer:
    """Markdown lines, with the reader's clock and the pair's names."""

    def __init__(self, pairing: Pairing, reader: User) -> None:
        self.lines: list[str] = []
        self.zone = zone_of(reader)
        self.names = {pairing.mentee.user_id: pairing.mentee.user.name,
                      pairing.mentor.user_id: pairing.mentor.user.name}

    def who(self, user_id: int | None) -> str:
        return self.names.get(user_id, FORMER) if user_id else FORMER

    def when(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        local = in_zone(value, self.zone)
        return f"{long_date(local.date())}, {local:%H:%M} {local.tzname()}"

    @staticmethod
    def day(value: date | None) -> str:
        return long_date(value) if value else "—"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def block(self, label: str, text: str) -> None:
        """A labelled piece of free text, quoted so its own Markdown stays inside it."""
        if text.strip():
            self.add(f"**{label}**", "", *(f"> {line}" for line in text.splitlines()), "")


def _rows(session: Session, model: Any, *where: Any, order: Iterable[Any]) -> list[Any]:
    return list(session.scalars(select(model).where(*where).order_by(*order)))


def workspace_markdown(session: Session, pairing: Pairing, reader: User) -> str:
    """The workspace as Markdown, times in the reader's zone."""
    w = _Writer(pairing, reader)
    role = role_in(pairing, reader)
    w.add(f"# Mentorship: {pairing.mentee.user.name} and {pairing.mentor.user.name}", "",
          f"{pairing.program.name}. Mentee: {pairing.mentee.user.name}; mentor: "
          f"{pairing.mentor.user.name}. Started {w.day(pairing.started_at.date())}"
          + (f", ended {w.day(pairing.ended_at.date())}" if pairing.ended_at else "") + ".", "")
    _agreements(w, _rows(session, Agreement, Agreement.pairing_id == pairing.id,
                         order=[Agreement.number.desc()]))
    _thread(w, _rows(session, Message, Message.pairing_id == pairing.id, order=[Message.id]))
    meetings = _rows(session, Meeting, Meeting.pairing_id == pairing.id,
                     order=[Meeting.starts_at, Meeting.id])
    notes: dict[int, list[PrepNote]] = defaultdict(list)
    if meetings:
        for note in _rows(session, PrepNote, PrepNote.meeting_id.in_([m.id for m in meetings]),
                          order=[PrepNote.id]):
            notes[note.meeting_id].append(note)
    items = _rows(session, ActionItem, ActionItem.pairing_id == pairing.id,
                  order=[ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id])
    mine = {f.meeting_id: f for f in _rows(session, Feedback, Feedback.pairing_id == pairing.id,
                                           Feedback.author_role == role, order=[Feedback.id])}
    _sessions(w, meetings, notes, items, mine)
    _goals(w, _rows(session, Goal, Goal.pairing_id == pairing.id, order=[Goal.id]), items)
    _reflections(w, _rows(session, Reflection, Reflection.pairing_id == pairing.id,
                          order=[Reflection.id]), pairing)
    return "\n".join(w.lines).rstrip() + "\n"


def _agreements(w: _Writer, versions: list[Agreement]) -> None:
    w.add("## Agreement", "")
    if not versions:
        w.add("No agreement was drafted.", "")
    for v in versions:
        both = v.mentee_accepted_at and v.mentor_accepted_at
        w.add(f"### Version {v.number} ({'accepted by both' if both else 'not accepted by both'})",
              "", f"- How often: {v.cadence.value}", f"- Session length: {v.session_minutes} minutes",
              f"- Runs until: {w.day(v.ends_on)}", f"- How to reach each other: {v.contact or '—'}",
              "")
        w.block("What the mentee wants", v.mentee_wants)
        w.block("Confidentiality", v.confidentiality)


def _thread(w: _Writer, messages: list[Message]) -> None:
    w.add("## Thread", "")
    if not messages:
        w.add("No messages.", "")
    for m in messages:
        edited = " (edited)" if m.edited_at else ""
        w.add(f"**{w.who(m.author_id)}**, {w.when(m.created_at)}{edited}", "")
        w.add(*(m.body.splitlines() if m.deleted_at is None and m.author_id
                else ["*Message deleted.*"]), "")


def _sessions(w: _Writer, meetings: list[Meeting], notes: dict[int, list[PrepNote]],
              items: list[ActionItem], mine: dict[int, Feedback]) -> None:
    w.add("## Sessions", "")
    if not meetings:
        w.add("No sessions.", "")
    for m in meetings:
        w.add(f"### {w.when(m.starts_at)} ({m.status.value}, {m.duration_minutes} min)", "")
        if m.location:
            w.add(f"Where: {m.location}", "")
        w.block("Agenda", m.agenda)
        for note in notes.get(m.id, []):
            w.add(f"**Prep note by {w.who(note.author_id)}**", "")
            for label, text in (("Wins", note.wins), ("Challenges", note.challenges),
                                ("Questions", note.questions),
                                ("Where I want help", note.help_wanted)):
                w.block(label, text)
        w.block("What was discussed", m.discussed)
        w.block("Guidance given", m.guidance)
        steps = [i for i in items if i.meeting_id == m.id and i.goal_id is None]
        if steps:
            w.add("**Next steps**", "", *(_item(w, i) for i in steps), "")
        if m.next_check_in:
            w.add(f"Next check-in: {w.day(m.next_check_in)}", "")
        if (f := mine.get(m.id)) is not None:
            w.add(f"**Your feedback** (rating {f.rating} of 5)", "")
            w.block("What went well", f.went_well)
            w.block("What to improve", f.to_improve)
            w.block("Advice" if f.author_role.value == "mentor" else "What helped most",
                    f.advice)


def _item(w: _Writer, item: ActionItem) -> str:
    due = f", due {w.day(item.due_on)}" if item.due_on else ""
    return f"- [{'x' if item.done_at else ' '}] {item.title} ({item.owner.value}{due})"


def _goals(w: _Writer, goals: list[Goal], items: list[ActionItem]) -> None:
    w.add("## Goals", "")
    if not goals:
        w.add("No goals.", "")
    for g in goals:
        w.add(f"### {g.title} ({g.status.value}, {g.progress}%)", "",
              f"Target date: {w.day(g.target_date)}", "")
        w.block("Description", g.description)
        w.block("How success is measured", g.measure)
        steps = [i for i in items if i.goal_id == g.id]
        if steps:
            w.add("**Action items**", "", *(_item(w, i) for i in steps), "")


def _reflections(w: _Writer, reflections: list[Reflection], pairing: Pairing) -> None:
    if not reflections:
        return
    w.add("## Reflections", "")
    for r in reflections:
        side = pairing.mentee if r.author_role.value == "mentee" else pairing.mentor
        w.add(f"### {side.user.name} ({r.author_role.value})", "")
        w.block("What changed", r.what_changed)
        w.block("What comes next", r.what_next)


HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
line-height:1.55;color:#1d2430}}blockquote{{border-left:3px solid #d7dde5;margin:.4rem 0;
padding-left:.8rem;color:#4f5b6b}}h1,h2,h3{{line-height:1.25}}</style>
</head><body>
{body}
</body></html>
"""


def workspace_html(session: Session, pairing: Pairing, reader: User) -> str:
    """The same document as one self-contained HTML page: the Markdown rendered with raw
    HTML off and sanitised, as the thread is."""
    body = to_html(workspace_markdown(session, pairing, reader))
    title = escape(f"Mentorship: {pairing.mentee.user.name} and {pairing.mentor.user.name}")
    return HTML_PAGE.format(title=title, body=body)
