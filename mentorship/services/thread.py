"""The pair's thread (open and honest dialogue). Take a session; never commit.

Posting is idempotent: every form render and every API client sends a client key,
and the database keeps one message per (pairing, author, key), so a double submit or
a retried request stores one message. Authors edit their own message for 15 minutes
and delete it at any time; a deleted message stays as a tombstone, so the thread
keeps its shape and its cursors. Each side's read marker is the newest message id it
has seen; "unread" counts the partner's messages past it.

Every function takes a pairing already loaded for a participant
(``pairings.get_pairing_for_participant``); messages are always looked up through it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    ColumnExpressionArgument,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import (
    CLIENT_KEY_MAX,
    MESSAGE_MAX,
    Message,
    Pairing,
    PairingStatus,
    ThreadRead,
    User,
    utcnow,
)
from mentorship.services.bulk import upsert
from mentorship.services.errors import Conflict, FieldErrors, NotFound
from mentorship.services.fields import REQUIRED, shows_something, too_long
from mentorship.services.specs import Field, Spec
from mentorship.services.workspace import READ_ONLY, require_active

PAGE = 50
EDIT_WINDOW = timedelta(minutes=15)
CLIENT_KEY = re.compile(rf"[A-Za-z0-9._~:+/=-]{{1,{CLIENT_KEY_MAX}}}")
LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")

EDIT_CLOSED = ("Messages can be edited for 15 minutes after they are sent, and this one "
               "was sent longer ago. Write a new message to add to it or correct it.")
DELETED = "This message was deleted; it can no longer be edited."
BAD_KEY = ("Reload the page and send the message again (this form has lost its key, which "
           "stops a double click from sending it twice).")
BAD_API_KEY = (f"Idempotency-Key: use 1 to {CLIENT_KEY_MAX} letters, digits or . _ ~ : + / = -"
               " (a UUID works).")

MESSAGE = Spec((
    Field("body", "Message", kind="textarea", required=True, max_length=MESSAGE_MAX,
          help="Markdown works: **bold**, _italic_, [a link](https://example.org), lists, "
               "`code`. Only the two of you can read this thread."),
))


def clean_body(value: object) -> str:
    """A message as written, minus blank lines before it and blanks after it."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldErrors({"body": "Must be text."})
    text = LEADING_BLANK_LINES.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).rstrip()
    if not shows_something(text):
        raise FieldErrors({"body": REQUIRED})
    if len(text) > MESSAGE_MAX:
        raise FieldErrors({"body": too_long(MESSAGE_MAX)})
    return text


def new_client_key() -> str:
    """A fresh key for one rendering of the message form."""
    return secrets.token_urlsafe(16)


def clean_client_key(value: object, *, field: str = "client_key", message: str = BAD_KEY
                     ) -> str:
    """The client's idempotency key as sent, or ``FieldErrors`` at ``field``."""
    if not isinstance(value, str) or not CLIENT_KEY.fullmatch(value):
        raise FieldErrors({field: message})
    return value


def authors(pairing: Pairing) -> dict[int, str]:
    """Author id to name, for both sides (the pairing loads both people already)."""
    return {pairing.mentee.user_id: pairing.mentee.user.name,
            pairing.mentor.user_id: pairing.mentor.user.name}


def _by_key(session: Session, pairing: Pairing, user: User, key: str) -> Message | None:
    return session.scalar(select(Message).where(Message.pairing_id == pairing.id,
                                                Message.author_id == user.id,
                                                Message.client_key == key))


def post_message(session: Session, pairing: Pairing, user: User, body: object,
                 client_key: object, *, key_field: str = "client_key",
                 key_message: str = BAD_KEY) -> tuple[Message, bool]:
    """Store ``user``'s message once per client key: (the message, whether it is new).

    A repeated key returns the message stored the first time; two submissions racing
    with one key meet at the unique constraint, and the loser returns the winner's row.
    """
    require_active(pairing)
    text = clean_body(body)
    key = clean_client_key(client_key, field=key_field, message=key_message)
    stored = _by_key(session, pairing, user, key)
    if stored is not None:
        return stored, False
    message = Message(pairing_id=pairing.id, author_id=user.id, body=text, client_key=key,
                      created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        stored = _by_key(session, pairing, user, key)
        if stored is None:
            raise
        return stored, False
    _move_marker(session, pairing, user, message.id)  # writing means having read the thread
    return message, True


def get_own_message(session: Session, pairing: Pairing, user: User, message_id: int
                    ) -> Message:
    """``user``'s message in ``pairing``; anyone else's is NotFound, like a missing one."""
    message = session.scalar(select(Message).where(Message.id == message_id,
                                                   Message.pairing_id == pairing.id,
                                                   Message.author_id == user.id))
    if message is None:
        raise NotFound("message")
    return message


def editable_until(message: Message) -> datetime:
    """The last moment its author may edit it."""
    return message.created_at + EDIT_WINDOW


def can_edit(message: Message, user: User, now: datetime) -> bool:
    """Whether ``user`` may still edit ``message`` (their own, not deleted, in the window)."""
    return (message.author_id == user.id and message.deleted_at is None
            and now <= editable_until(message))


def edit_refusal(pairing: Pairing, message: Message, now: datetime) -> str | None:
    """Why ``message`` can no longer be edited, or None while it can."""
    if pairing.status != PairingStatus.ACTIVE:
        return READ_ONLY
    if message.deleted_at is not None:
        return DELETED
    if now > editable_until(message):
        return EDIT_CLOSED
    return None


def require_editable(pairing: Pairing, message: Message, now: datetime) -> None:
    """Conflict unless the pairing is active and ``message`` is still open to edits."""
    refusal = edit_refusal(pairing, message, now)
    if refusal is not None:
        raise Conflict(refusal)


def edit_message(session: Session, pairing: Pairing, user: User, message_id: int,
                 body: object, *, now: datetime | None = None) -> Message:
    """Change the text of ``user``'s own message within the edit window; marked edited."""
    message = get_own_message(session, pairing, user, message_id)
    now = now or utcnow()
    require_editable(pairing, message, now)
    text = clean_body(body)
    if text != message.body:
        message.body = text
        message.edited_at = now
    session.flush()
    return message


def delete_message(session: Session, pairing: Pairing, user: User, message_id: int, *,
                   now: datetime | None = None) -> Message:
    """Empty ``user``'s own message and keep its row as a tombstone (again: no change)."""
    require_active(pairing)
    message = get_own_message(session, pairing, user, message_id)
    if message.deleted_at is None:
        message.body = ""
        message.deleted_at = now or utcnow()
        session.flush()
    return message


@dataclass
class ThreadPage:
    """One page of the thread, oldest first, and where the reader left off."""

    messages: list[Message]
    older: int | None  # the ``before`` cursor of the previous page, if there is one
    newest: bool  # whether this page ends with the newest message
    last_read_id: int
    first_unread_id: int | None


def page(session: Session, pairing: Pairing, user: User, before: int | None = None,
         *, limit: int = PAGE) -> ThreadPage:
    """The ``limit`` messages before ``before`` (the newest ones without it): two queries."""
    query = select(Message).where(Message.pairing_id == pairing.id)
    if before is not None:
        query = query.where(Message.id < before)
    rows = list(session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)))
    shown = rows[:limit][::-1]
    older = shown[0].id if len(rows) > limit else None
    read = last_read_id(session, pairing, user)
    first_unread = next((m.id for m in shown if m.id > read and m.author_id != user.id
                         and m.deleted_at is None), None)
    return ThreadPage(shown, older, before is None, read, first_unread)


def last_read_id(session: Session, pairing: Pairing, user: User) -> int:
    """The newest message id ``user`` has marked read in ``pairing`` (0: none)."""
    return session.scalar(select(ThreadRead.last_read_id).where(
        ThreadRead.pairing_id == pairing.id, ThreadRead.user_id == user.id)) or 0


def mark_read(session: Session, pairing: Pairing, user: User, up_to: int | None = None) -> int:
    """Move ``user``'s read marker forward to ``up_to`` (the newest message by default).

    Never backwards, and never past the thread's newest message. One upsert, so two
    tabs marking at once cannot collide. Allowed after the pairing ended: the marker is
    the reader's own, not part of the pair's record.
    """
    newest = session.scalar(select(func.max(Message.id))
                            .where(Message.pairing_id == pairing.id)) or 0
    target = newest if up_to is None else min(up_to, newest)
    if target > 0:
        _move_marker(session, pairing, user, target)
    return last_read_id(session, pairing, user)


def _move_marker(session: Session, pairing: Pairing, user: User, target: int) -> None:
    """Upsert the marker, keeping the larger of the stored and the new id."""
    statement = upsert(session)(ThreadRead).values(pairing_id=pairing.id, user_id=user.id,
                                          last_read_id=target)
    statement = statement.on_conflict_do_update(
        index_elements=[ThreadRead.pairing_id, ThreadRead.user_id],
        set_={"last_read_id": case((statement.excluded.last_read_id > ThreadRead.last_read_id,
                                    statement.excluded.last_read_id),
                                   else_=ThreadRead.last_read_id)})
    session.execute(statement)


def unread_messages(pairing_id: ColumnExpressionArgument[int],
                    user_id: ColumnExpressionArgument[int]) -> ScalarSelect[int]:
    """The messages of ``pairing_id`` past ``user_id``'s read marker that ``user_id`` did
    not write, as a column (the dashboard reads it on each pairing's row)."""
    # Correlated to the query the count is a column of, two levels up.
    marker = (select(ThreadRead.last_read_id)
              .where(ThreadRead.pairing_id == pairing_id, ThreadRead.user_id == user_id)
              .correlate_except(ThreadRead).scalar_subquery())
    return (select(func.count()).select_from(Message)
            .where(Message.pairing_id == pairing_id,
                   Message.id > func.coalesce(marker, 0),
                   or_(Message.author_id.is_(None), Message.author_id != user_id),
                   Message.deleted_at.is_(None))
            .scalar_subquery())


@cache
def _unread_per_pairing() -> Select[int, int]:
    """Per pairing of ``pairing_ids``, the messages ``user_id`` has not read and did not
    write. Built on first use and kept: a statement built once keeps its SQL cache key."""
    return (select(Pairing.id, unread_messages(Pairing.id, bindparam("user_id", type_=Integer)))
            .where(Pairing.id.in_(bindparam("pairing_ids", expanding=True))))


def unread_counts(session: Session, user: User, pairing_ids: list[int]) -> dict[int, int]:
    """Per pairing, the partner's messages past ``user``'s read marker: one query.

    Pairings without unread messages are left out. The caller passes only pairings
    ``user`` is part of.
    """
    if not pairing_ids:
        return {}
    rows = session.execute(_unread_per_pairing(), {"user_id": user.id,
                                                 "pairing_ids": list(pairing_ids)})
    return {pairing_id: count for pairing_id, count in rows if count}


def unread_count(session: Session, pairing: Pairing, user: User) -> int:
    """The partner's messages in ``pairing`` that ``user`` has not marked read."""
    return unread_counts(session, user, [pairing.id]).get(pairing.id, 0)
