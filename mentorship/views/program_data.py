"""A program's data in and out, for admins: the participants import and the CSV exports.

The import is two steps. The upload keeps the file in the instance folder, named by
its SHA-256, and shows the dry run's report; the confirmation reads that file again,
checks it again against the database as it is then, and imports it, all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import FileField

from mentorship.auth import admin_required
from mentorship.db import get_session, read_while_streaming, writes_on_read
from mentorship.forms import BaseForm, ConfirmForm
from mentorship.models import Program, User
from mentorship.services import (
    csv_files,
    exports,
    feedback,
    import_files,
    imports,
    invitations,
    programs,
)
from mentorship.services.audit import Action
from mentorship.services.errors import FieldErrors, NotFound
from mentorship.views import form_page

bp = Blueprint("program_data", __name__, url_prefix="/admin/programs")

NO_FILE = "Choose a CSV file to upload."


class ImportForm(BaseForm):
    """The upload: one CSV file (the report comes before anything is written)."""

    file = FileField("CSV file", description="Columns name, email and role (mentee or "
                                             "mentor), plus any profile and enrolment "
                                             "columns. Up to 50,000 rows.")


def staging() -> Path:
    """Where uploaded files wait for their confirmation (``IMPORT_STAGING_DIR``)."""
    configured = current_app.config.get("IMPORT_STAGING_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def load(program_id: int) -> Program:
    """The program (drafts included: this is an admin page)."""
    return programs.get_program_for_user(get_session(), program_id, current_user)


@bp.route("/<int:program_id>/import", methods=["GET", "POST"])
@admin_required
def upload(program_id: int) -> Response | tuple[str, int]:
    """Upload a CSV file; its report (a dry run) comes next, nothing is written yet."""
    program = load(program_id)
    form = ImportForm.from_request()
    page = form_page("admin/import.html", form, program=program, columns=import_files.KNOWN,
                     required=import_files.REQUIRED)
    if not form.is_submitted_and_valid():
        return page.render()
    sent = request.files.get("file")
    data = sent.read() if sent else b""
    if not data:
        raise FieldErrors({"file": NO_FILE})
    digest = csv_files.stage(staging(), data)
    return redirect(url_for(".review", program_id=program.id, digest=digest))


@bp.route("/<int:program_id>/import/<digest>", methods=["GET", "POST"])
@admin_required
def review(program_id: int, digest: str) -> Response | tuple[str, int]:
    """The dry run's report; the button imports the same file, checked once more."""
    program = load(program_id)
    data = csv_files.staged(staging(), digest)
    form = ConfirmForm.from_request()
    db = get_session()
    if not form.is_submitted_and_valid():
        report = imports.check(db, program, data)
        return render_template("admin/import_report.html", program=program, report=report,
                               form=form, digest=digest), 200 if report.ok else 422
    db.commit()  # end the program's lookup: reading the file takes seconds, holding no lock
    report = imports.apply(db, program, data, current_user,
                           invitations.link_maker(current_app.config["MAIL_SITE_URL"]))
    if not report.applied:
        db.rollback()
        return render_template("admin/import_report.html", program=program, report=report,
                               form=form, digest=digest), 422 if not report.ok else 200
    db.commit()
    csv_files.unstage(staging(), digest)
    flash(f"Imported {report.changes} enrolments: {report.new_accounts} new accounts "
          f"(each emailed a link to set a password), {report.updated_enrolments} updated, "
          f"{report.unchanged} unchanged.", "success")
    return redirect(url_for(".upload", program_id=program.id))


@bp.get("/<int:program_id>/exports")
@admin_required
def export_list(program_id: int) -> str:
    """The program's CSV downloads."""
    return render_template("admin/exports.html", program=load(program_id),
                           kinds=exports.KINDS, min_pairs=feedback.MIN_PAIRS)


@bp.get("/<int:program_id>/exports/<kind>.csv")
@writes_on_read
@admin_required
def download(program_id: int, kind: str) -> Response:
    """One export, streamed as it is read; the audit log records it first."""
    return csv_download(load(program_id), kind, current_user)


def csv_download(program: Program, kind: str, actor: User) -> Response:
    """The streamed CSV response of ``kind`` (404 for an unknown kind), audited."""
    if kind not in exports.KINDS:
        raise NotFound("export")
    db = get_session()
    exports.record_action(db, actor, Action.DATA_EXPORTED, program, kind)
    db.commit()
    lines = read_while_streaming(db, exports.export_stream(db, program, kind))
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename="
                                                    f"{exports.filename(program, kind)}"})
