"""The audit log of a program's admin actions in the JSON API (admins only)."""

from __future__ import annotations

from typing import Any

from flask import request

from mentorship.api.auth import api_admin_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.db import get_session
from mentorship.models import AuditEntry
from mentorship.services import audit, programs
from mentorship.services.fields import clean_cursor


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": iso(entry.at), "actor": entry.actor_name,
            "actor_id": entry.actor_id, "action": entry.action, "target": entry.target,
            "details": dict(entry.details)}


@bp.get("/admin/programs/<int:program_id>/audit")
@api_admin_required
def program_audit(program_id: int) -> dict[str, Any]:
    """Newest first, one page; ``before`` (an entry id) pages back."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_api_user())
    found = audit.entries(db, program.id, before=clean_cursor(request.args.get("before")))
    return {"entries": [entry_json(e) for e in found],
            "next_before": found[-1].id if len(found) == audit.PAGE else None}
