"""The OpenAPI description of the pair's thread (messages) routes."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.models import CLIENT_KEY_MAX
from mentorship.services import thread

MESSAGE_BODY = thread.MESSAGE["body"].schema()
ID = {"type": "integer", "minimum": 1}

SCHEMAS: dict[str, Any] = {
    "Message": obj({
        "id": {"type": "integer"},
        "author_id": nullable("integer", description="null once the author's account is gone"),
        "author_name": nullable("string"),
        "mine": {"type": "boolean"},
        "body": text(description="The Markdown as written; empty once deleted."),
        "html": text(description="The Markdown rendered and sanitised: safe to insert as "
                                 "HTML. Links carry rel=\"nofollow noopener noreferrer\"."),
        "created_at": text(format="date-time"),
        "edited_at": nullable("string", format="date-time"),
        "deleted_at": nullable("string", format="date-time",
                               description="Set on a tombstone (a deleted message)."),
        "editable_until": nullable("string", format="date-time",
                                   description="Until when you may still edit it; null when "
                                               "you may not."),
    }, ("id", "author_id", "author_name", "mine", "body", "html", "created_at", "edited_at",
        "deleted_at", "editable_until")),
    "MessagePage": obj({
        "messages": {"type": "array", "items": ref("Message"),
                     "description": f"At most {thread.PAGE}, oldest first."},
        "next_before": nullable("integer", description="Pass as `before` for the older "
                                                       "page; null on the oldest page."),
        "last_read_id": {"type": "integer", "description": "Your read marker (0: none)."},
        "unread": {"type": "integer",
                   "description": "Your partner's messages past your read marker."},
    }, ("messages", "next_before", "last_read_id", "unread")),
    "NewMessage": obj({"body": MESSAGE_BODY}, ("body",), closed=True),
    "MessageEdit": obj({"body": MESSAGE_BODY}, ("body",), closed=True),
    "ThreadRead": obj({"up_to_id": ID}, closed=True),
    "ThreadMarker": obj({"last_read_id": {"type": "integer"}, "unread": {"type": "integer"}},
                        ("last_read_id", "unread")),
}

BEFORE = {"name": "before", "in": "query", "required": False, "schema": ID,
          "description": "A message id: the page of messages just older than it."}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": CLIENT_KEY_MAX,
                          "pattern": thread.CLIENT_KEY.pattern},
               "description": "The same key from the same person stores one message: a "
                              "retry answers 200 with the message stored the first time. "
                              "Without it, every request stores a new message."}
PAIRING = id_param("pairing_id")


def _with(op: dict[str, Any], *parameters: dict[str, Any]) -> dict[str, Any]:
    return op | {"parameters": list(parameters)}


PATHS: dict[str, Any] = {
    "/pairings/{pairing_id}/messages": {
        "parameters": PAIRING,
        "get": _with(operation(
            "Your pair's thread, newest page first (cursor paging)", 200, "MessagePage",
            errors=(401, 404, 422)), BEFORE),
        "post": _with(operation(
            "Send a message to your partner (Markdown)", 201, "Message", body="NewMessage",
            errors=(*WRITE_ERRORS, 404, 409),
            description="201 with the new message; 200 with the stored one when the "
                        "`Idempotency-Key` was used before. 409 once the mentorship ended."),
            IDEMPOTENCY),
    },
    "/pairings/{pairing_id}/messages/{message_id}": {
        "parameters": PAIRING + id_param("message_id"),
        "patch": operation(
            "Edit your own message, within 15 minutes of sending it", 200, "Message",
            body="MessageEdit", errors=(*WRITE_ERRORS, 404, 409),
            description="404 for your partner's messages; 409 after 15 minutes, on a "
                        "deleted message, or once the mentorship ended."),
        "delete": operation(
            "Delete your own message (it stays as a tombstone)", 204,
            errors=(401, 404, 409)),
    },
    "/pairings/{pairing_id}/messages/read": {
        "parameters": PAIRING,
        "post": operation(
            "Mark your thread read (up to `up_to_id`, or the newest message)", 200,
            "ThreadMarker", body="ThreadRead", errors=(*WRITE_ERRORS, 404),
            description="The marker only moves forward. The body may be omitted."),
    },
}
