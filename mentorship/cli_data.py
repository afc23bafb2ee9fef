"""The ``import-participants`` and ``export-csv`` commands: a program's data from the terminal.

Thin wrappers over ``services/imports`` and ``services/exports``, loaded only when they
run (see ``cli.LazyCommand``). A file with any error imports nothing and exits with
status 1 after listing the problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click
from flask import current_app
from flask.cli import with_appcontext

from mentorship.db import get_session
from mentorship.models import Program
from mentorship.services import exports, import_files, imports, invitations
from mentorship.services.audit import Action
from mentorship.services.errors import Conflict

LISTED = 50  # problems printed; the rest are counted


def load_program(program_id: int) -> Program:
    """The program, or a clear message and exit status 1."""
    program = get_session().get(Program, program_id)
    if program is None:
        raise click.ClickException(f"No program has the id {program_id}.")
    return program


def print_report(report: import_files.Report) -> None:
    """The file's summary and its problems (errors first), as the web report shows them."""
    if report.encoding:
        click.echo(f"Read as {report.encoding}, {report.separator}-separated: "
                   f"{len(report.rows)} valid rows.")
    click.echo(f"New accounts: {report.new_accounts}; existing accounts: "
               f"{report.existing_accounts}; new enrolments: {report.new_enrolments}; to "
               f"update: {report.updated_enrolments}; unchanged: {report.unchanged}.")
    for label, problems, total in (("Error", report.errors, report.error_count),
                                   ("Warning", report.warnings, report.warning_count)):
        for p in problems[:LISTED]:
            where = f"row {p.row}" if p.row else "file"
            click.echo(f"{label}: {where}{', column ' + p.column if p.column else ''}: "
                       f"{p.message}", err=True)
        if total > min(len(problems), LISTED):
            click.echo(f"... and {total - min(len(problems), LISTED)} more "
                       f"{label.lower()}s.", err=True)


@click.command("import-participants")
@click.argument("program_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_participants_command(program_id: int, file: BinaryIO, dry_run: bool) -> None:
    """Import participants of PROGRAM_ID from a CSV FILE (all or nothing)."""
    program = load_program(program_id)
    data = file.read()
    session = get_session()
    session.commit()  # end the program's lookup: reading the file takes seconds, holding no lock
    with click.progressbar(length=max(data.count(b"\n"), 1), label="Checking rows") as bar:
        if dry_run:
            report = imports.check(session, program, data, bar.update)
        else:
            try:
                links = invitations.link_maker(current_app.config["MAIL_SITE_URL"])
                report = imports.apply(session, program, data, None, links, bar.update)
            except Conflict as exc:
                session.rollback()
                raise click.ClickException(str(exc)) from None
    print_report(report)
    if not report.ok:
        session.rollback()
        raise click.ClickException(f"Nothing imported: the file has {report.error_count} "
                                   "error(s). Fix them and run the command again.")
    if dry_run:
        session.rollback()
        click.echo("Dry run: nothing was written. Run without --dry-run to import.")
        return
    session.commit()
    click.echo(f"Imported: {report.changes} enrolments created or updated, "
               f"{report.invited} invitations queued.")


@click.command("export-csv")
@click.argument("program_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("kind", type=click.Choice(exports.KINDS))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file (default: standard output).")
@with_appcontext
def export_csv_command(program_id: int, kind: str, output: Path | None) -> None:
    """Export KIND of PROGRAM_ID's data as CSV (recorded in the audit log)."""
    program = load_program(program_id)
    session = get_session()
    exports.record_action(session, None, Action.DATA_EXPORTED, program, kind)
    session.commit()
    lines = exports.export_csv(session, program, kind)
    if output is None:
        next(lines)  # no byte-order mark in a pipe
        for line in lines:
            click.echo(line, nl=False)
        return
    with output.open("w", encoding="utf-8", newline="") as out:
        out.writelines(lines)
    click.echo(f"Written to {output}.", err=True)
