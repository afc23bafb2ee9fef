"""The workspace's agreement, reflections and export in the JSON API.

Every path is the pair's alone: 404 for anyone else, admins included, as on the pages.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for

from mentorship.api.auth import api_login_required, caller_pairing, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require
from mentorship.db import get_session
from mentorship.models import Agreement, Pairing, Reflection
from mentorship.services import agreements, closure, export, workspace


def agreement_json(item: Agreement) -> dict[str, Any]:
    return agreements.AGREEMENT.dump(item) | {
        "number": item.number, "created_at": iso(item.created_at),
        "mentee_accepted_at": iso(item.mentee_accepted_at),
        "mentor_accepted_at": iso(item.mentor_accepted_at),
        "accepted": agreements.is_accepted(item)}


def agreement_state(pairing: Pairing) -> dict[str, Any]:
    db = get_session()
    latest = agreements.current(db, pairing)
    in_force = agreements.last_accepted(db, pairing)
    role = workspace.role_in(pairing, current_api_user())
    return {"pairing_id": pairing.id, "state": agreements.state(latest, role).value,
            "current": agreement_json(latest) if latest else None,
            "in_force": agreement_json(in_force) if in_force else None,
            "versions": [agreement_json(v) for v in agreements.versions(db, pairing)]}


@bp.get("/pairings/<int:pairing_id>/agreement")
@api_login_required
def get_agreement(pairing_id: int) -> dict[str, Any]:
    """The newest version, the one in force, every version, and where it stands for you."""
    return agreement_state(caller_pairing(pairing_id))


@bp.put("/pairings/<int:pairing_id>/agreement")
@api_login_required
def put_agreement(pairing_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Propose a new version (your acceptance included); ``based_on`` is the number you
    read (0 for the first), so two edits cannot overwrite each other (409)."""
    pairing = caller_pairing(pairing_id)  # first: outsiders learn nothing, not even what is valid
    body = json_object({*agreements.AGREEMENT.names, "based_on"})
    require(body, ("based_on",))
    db = get_session()
    agreements.propose(db, pairing, current_api_user(),
                       {k: v for k, v in body.items() if k != "based_on"},
                       based_on=body["based_on"])
    db.commit()
    return agreement_state(pairing), 201, {
        "Location": url_for(".get_agreement", pairing_id=pairing.id)}


@bp.post("/pairings/<int:pairing_id>/agreement/accept")
@api_login_required
def accept_agreement(pairing_id: int) -> dict[str, Any]:
    """Accept version ``number``, which must still be the newest (409 otherwise)."""
    pairing = caller_pairing(pairing_id)
    body = json_object({"number"})
    require(body, ("number",))
    db = get_session()
    agreements.accept(db, pairing, current_api_user(), body["number"])
    db.commit()
    return agreement_state(pairing)


def reflection_json(item: Reflection) -> dict[str, Any]:
    return closure.REFLECTION.dump(item) | {"role": item.author_role.value,
                                            "created_at": iso(item.created_at)}


@bp.get("/pairings/<int:pairing_id>/reflections")
@api_login_required
def get_reflections(pairing_id: int) -> dict[str, Any]:
    pairing = caller_pairing(pairing_id)
    found = closure.reflections(get_session(), pairing)
    return {"reflections": [reflection_json(r) for r in found.values()]}


@bp.post("/pairings/<int:pairing_id>/reflections")
@api_login_required
def post_reflection(pairing_id: int) -> tuple[dict[str, Any], int]:
    """Your reflection on an ended mentorship, once (409 before the end or a second time)."""
    pairing = caller_pairing(pairing_id)
    body = json_object(set(closure.REFLECTION.names))
    db = get_session()
    made = closure.reflect(db, pairing, current_api_user(), body)
    db.commit()
    return reflection_json(made), 201


@bp.get("/pairings/<int:pairing_id>/export.md")
@api_login_required
def export_markdown(pairing_id: int) -> Response:
    """The whole workspace as one Markdown document."""
    pairing = caller_pairing(pairing_id)
    document = export.workspace_markdown(get_session(), pairing, current_api_user())
    return Response(document, mimetype="text/markdown")
