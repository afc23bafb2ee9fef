"""A program's data in and out for admins: the participants import and the CSV exports."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request, url_for

from mentorship.api.auth import api_admin_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.db import get_session, read_while_streaming, writes_on_read
from mentorship.models import Program
from mentorship.services import exports, import_files, imports, programs
from mentorship.services.audit import Action
from mentorship.services.errors import NotFound

CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
TRUE = frozenset({"1", "true", "yes"})


def load(program_id: int) -> Program:
    """The program (drafts included: admins only reach here)."""
    return programs.get_program_for_user(get_session(), program_id, current_api_user())


@bp.get("/admin/programs/<int:program_id>/exports/<kind>.csv")
@writes_on_read
@api_admin_required
def export_csv(program_id: int, kind: str) -> Response:
    """One export as CSV, streamed; recorded in the audit log. 404 for an unknown kind."""
    program = load(program_id)
    if kind not in exports.KINDS:
        raise NotFound("export")
    db = get_session()
    exports.record_action(db, current_api_user(), Action.DATA_EXPORTED, program, kind)
    db.commit()
    return Response(read_while_streaming(db, exports.export_stream(db, program, kind)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename="
                                                    f"{exports.filename(program, kind)}"})


def report_json(report: import_files.Report) -> dict[str, Any]:
    """The report as JSON: counts, then every listed problem."""
    def listed(problems: list[import_files.Problem]) -> list[dict[str, Any]]:
        return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]
    return {"applied": report.applied, "encoding": report.encoding,
            "separator": report.separator, **report.summary(),
            "error_list": listed(report.errors), "warning_list": listed(report.warnings)}


@bp.post("/admin/programs/<int:program_id>/imports")
@api_admin_required
def import_participants(program_id: int) -> Any:
    """Import a CSV body (``?dry_run=true`` only reports); any error imports nothing (422)."""
    program = load(program_id)
    if request.mimetype not in CSV_TYPES:
        abort(415, description="Send the file as the body with Content-Type: text/csv.")
    data = request.get_data()
    db = get_session()
    if request.args.get("dry_run", "").lower() in TRUE:
        return report_json(imports.check(db, program, data))
    db.commit()  # end the program's lookup: reading the file takes seconds, holding no lock
    report = imports.apply(db, program, data, current_api_user(),
                           lambda token: url_for("invitations.set_password", token=token,
                                                 _external=True))
    if not report.ok:
        db.rollback()
        return {"error": {"code": "invalid", "message": f"The file has {report.error_count} "
                                                        "error(s): nothing was imported.",
                          "fields": {}}, "report": report_json(report)}, 422
    db.commit()
    return report_json(report)
