"""The OpenAPI description of a program's data in and out (admins)."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import STATUS_TEXT, id_param, obj, operation, ref, text
from mentorship.services.exports import KINDS
from mentorship.services.feedback import MIN_PAIRS

INT = {"type": "integer"}
PROBLEMS = {"type": "array", "items": obj({"row": INT, "column": text(), "message": text()},
                                          ("row", "column", "message"))}
COUNTS = ("rows", "errors", "warnings", "new_accounts", "existing_accounts", "new_enrolments",
          "updated_enrolments", "unchanged", "invited")

SCHEMAS: dict[str, Any] = {
    "ImportReport": obj({"applied": {"type": "boolean"}, "encoding": text(),
                         "separator": text(), **dict.fromkeys(COUNTS, INT),
                         "error_list": PROBLEMS, "warning_list": PROBLEMS},
                        ("applied", *COUNTS, "error_list", "warning_list")),
    "ImportRefused": {"allOf": [ref("Error"),
                                obj({"report": ref("ImportReport")}, ("report",))]},
}


def _import_operation() -> dict[str, Any]:
    """POST a CSV file as the body: a dry run or the import itself."""
    op = operation("Import participants from a CSV body (admins)", 200, "ImportReport",
                   errors=(400, 401, 403, 404, 413, 415),
                   description="Columns as in the admin page's import. With `dry_run=true` "
                               "nothing is written and the answer is the report. Otherwise "
                               "all or nothing: any error imports nothing (422 with the "
                               "report). New accounts are emailed a set-password link.")
    op["parameters"] = [{"name": "dry_run", "in": "query", "required": False,
                         "schema": {"type": "boolean", "default": False}}]
    op["requestBody"] = {"required": True, "content": {"text/csv": {"schema": text()}}}
    op["responses"]["422"] = {"description": STATUS_TEXT[422],
                              "content": {"application/json": {"schema": ref("ImportRefused")}}}
    return op


def _export_operation() -> dict[str, Any]:
    """GET one CSV export."""
    op = operation("Download a CSV export of the program (admins)", 200,
                   errors=(401, 403, 404),
                   description="participants, pairings (metadata only), sessions (dates and "
                               "statuses) or feedback (per month, only over at least "
                               f"{MIN_PAIRS} pairs). Cells a spreadsheet would run get a leading '. "
                               "Recorded in the audit log.")
    op["responses"]["200"]["content"] = {"text/csv": {"schema": text()}}
    return op


PATHS: dict[str, Any] = {
    "/admin/programs/{program_id}/imports": {
        "parameters": id_param("program_id"),
        "post": _import_operation(),
    },
    "/admin/programs/{program_id}/exports/{kind}.csv": {
        "parameters": [*id_param("program_id"),
                       {"name": "kind", "in": "path", "required": True,
                        "schema": {"enum": list(KINDS)}}],
        "get": _export_operation(),
    },
}
