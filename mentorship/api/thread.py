"""The pair's thread in the JSON API: messages with cursor paging, idempotent posting.

Every path is 404 for anyone outside the pair, admins included, as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import request
from werkzeug.wrappers import Response

from mentorship.api.auth import api_login_required, caller_pairing, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, optional_up_to_id, require
from mentorship.db import get_session
from mentorship.models import Message, Pairing, User, utcnow
from mentorship.services import thread
from mentorship.services.fields import clean_cursor
from mentorship.services.markdown import renderer

IDEMPOTENCY_KEY = "Idempotency-Key"


def message_json(message: Message, user: User, names: dict[int, str],
                 render: Callable[[str], str], now: datetime) -> dict[str, Any]:
    """A message as the API shows it: the raw Markdown and its sanitised HTML."""
    editable = thread.can_edit(message, user, now)
    return {"id": message.id, "author_id": message.author_id,
            "author_name": names.get(message.author_id or 0),
            "mine": message.author_id == user.id, "body": message.body,
            "html": render(message.body), "created_at": iso(message.created_at),
            "edited_at": iso(message.edited_at), "deleted_at": iso(message.deleted_at),
            "editable_until": iso(thread.editable_until(message)) if editable else None}


def _one(message: Message, pairing: Pairing, user: User) -> dict[str, Any]:
    return message_json(message, user, thread.authors(pairing), renderer(), utcnow())


@bp.get("/pairings/<int:pairing_id>/messages")
@api_login_required
def list_messages(pairing_id: int) -> dict[str, Any]:
    """The newest 50 messages, oldest first, or the 50 before ``?before=<id>``."""
    pairing, user = caller_pairing(pairing_id), current_api_user()
    db = get_session()
    shown = thread.page(db, pairing, user, clean_cursor(request.args.get("before")))
    render, now, names = renderer(), utcnow(), thread.authors(pairing)
    return {"messages": [message_json(m, user, names, render, now) for m in shown.messages],
            "next_before": shown.older, "last_read_id": shown.last_read_id,
            "unread": thread.unread_count(db, pairing, user)}


@bp.post("/pairings/<int:pairing_id>/messages")
@api_login_required
def post_message(pairing_id: int) -> tuple[dict[str, Any], int]:
    """Send a message: 201 when stored, 200 with the stored one when the key was seen."""
    pairing, user = caller_pairing(pairing_id), current_api_user()
    body = json_object({"body"})
    require(body, ("body",))
    key = request.headers.get(IDEMPOTENCY_KEY)
    db = get_session()
    message, new = thread.post_message(
        db, pairing, user, body["body"], thread.new_client_key() if key is None else key,
        key_field=IDEMPOTENCY_KEY, key_message=thread.BAD_API_KEY)
    db.commit()
    return _one(message, pairing, user), 201 if new else 200


@bp.patch("/pairings/<int:pairing_id>/messages/<int:message_id>")
@api_login_required
def edit_message(pairing_id: int, message_id: int) -> dict[str, Any]:
    """Change your own message's text within 15 minutes of sending it (409 after)."""
    pairing, user = caller_pairing(pairing_id), current_api_user()
    db = get_session()
    thread.get_own_message(db, pairing, user, message_id)  # 404 before judging the body
    body = json_object({"body"})
    require(body, ("body",))
    message = thread.edit_message(db, pairing, user, message_id, body["body"])
    db.commit()
    return _one(message, pairing, user)


@bp.delete("/pairings/<int:pairing_id>/messages/<int:message_id>")
@api_login_required
def delete_message(pairing_id: int, message_id: int) -> Response:
    """Delete your own message; it stays in the thread as a tombstone."""
    pairing, user = caller_pairing(pairing_id), current_api_user()
    db = get_session()
    thread.delete_message(db, pairing, user, message_id)
    db.commit()
    return Response(status=204)


@bp.post("/pairings/<int:pairing_id>/messages/read")
@api_login_required
def mark_read(pairing_id: int) -> dict[str, int]:
    """Move your read marker to ``up_to_id`` (the newest message when absent)."""
    pairing, user = caller_pairing(pairing_id), current_api_user()
    up_to = optional_up_to_id()
    db = get_session()
    marker = thread.mark_read(db, pairing, user, up_to)
    db.commit()
    return {"last_read_id": marker, "unread": thread.unread_count(db, pairing, user)}
