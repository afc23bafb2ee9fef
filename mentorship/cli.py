"""Flask CLI commands: thin wrappers over services (`flask --app wsgi --help`)."""

from __future__ import annotations

import importlib
import sys
from datetime import date
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from mentorship.cli_requests import expire_requests_command
from mentorship.db import get_session
from mentorship.services import accounts, demo
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.settings import is_production


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Program admin", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin_command(email: str, name: str, password_stdin: bool) -> None:
    """Create an admin account (the only way to get one)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_session()
    try:
        accounts.register_user(session, name=name, email=email, password=password, is_admin=True)
    except FieldErrors as exc:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from None
    except Conflict:
        raise click.ClickException(f"An account with the email {email} already exists.") from None
    session.commit()
    click.echo(f"Admin {email} created.")


@click.command("seed-demo")
@click.option("--mentees", type=click.IntRange(0, demo.MAX_PEOPLE), default=150,
              show_default=True, help="Mentee enrolments in the demo program.")
@click.option("--mentors", type=click.IntRange(0, demo.MAX_PEOPLE), default=50,
              show_default=True, help="Mentor enrolments in the demo program.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="The same seed gives the same people.")
@click.option("--if-empty", is_flag=True, help="Do nothing if any program exists already.")
@click.option("--force", is_flag=True, help="Load demo data even in production mode.")
@with_appcontext
def seed_demo_command(mentees: int, mentors: int, seed: int, if_empty: bool,
                      force: bool) -> None:
    """Load a demo program with invented mentors, mentees and an admin."""
    if is_production(current_app.config) and not force:
        raise click.ClickException("This app is in production mode; demo data is meant for "
                                   "the embedded SQLite database. Add --force to load it anyway.")
    session = get_session()
    if if_empty and demo.has_programs(session):
        click.echo("The database already has programs; demo data not loaded.")
        return
    with click.progressbar(length=mentees + mentors, label="Creating demo people") as bar:
        try:
            summary = demo.seed_demo(session, mentees=mentees, mentors=mentors, seed=seed,
                                     today=date.today(), progress=bar.update)
        except Conflict as exc:
            raise click.ClickException(str(exc)) from None
        except FieldErrors as exc:  # e.g. a program of the same name exists already
            problems = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise click.ClickException(problems) from None
    session.commit()
    click.echo(f"Demo program loaded: {summary.people} people, {summary.mentees} mentees and "
               f"{summary.mentors} mentors ({summary.paused} paused, "
               f"{summary.dual} in both roles).")


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo accounts and their shared password."""
    logins = demo.demo_logins(get_session())
    if logins is None:
        click.echo("No demo data in this database; load it with `flask --app wsgi seed-demo`.")
        return
    click.echo(f"Demo logins (password for every demo account: {logins.password})")
    for label, email in (("admin", logins.admin), ("mentor", logins.mentor),
                         ("mentee", logins.mentee)):
        if email:
            click.echo(f"  {label + ':':8} {email}")


class LazyCommand(click.Command):
    """A command whose module loads only when it runs or shows its help.

    Migrations need Alembic, which takes longer to import than the rest of the app;
    every other command, and the web server, start without it.
    """

    def __init__(self, name: str, target: str, short_help: str) -> None:
        """``target`` is "module:attribute" of the real command; ``short_help`` lists it."""
        super().__init__(name, short_help=short_help, help=short_help)
        self.target = target

    def load(self) -> click.Command:
        """Import the real command (and whatever its module imports)."""
        module, attribute = self.target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Hand the invocation to the real command, which parses and runs it."""
        return self.load().make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    """Add the commands to ``flask --app wsgi``."""
    app.cli.add_command(LazyCommand("init-db", "mentorship.migrate:init_db_command",
                                    "Create or migrate the database schema to the newest version."))
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(expire_requests_command)
    app.cli.add_command(LazyCommand("match-round", "mentorship.cli_rounds:match_round_command",
                                    "Run a program's matching round and print its report."))
    for name, short_help in (
            ("deliver-mail", "Send the outbox's due emails, retrying failures later."),
            ("send-digest", "Queue the daily digest email of each person who chose one."),
            ("send-reminders", "Remind people of what is due (once per thing and day).")):
        app.cli.add_command(LazyCommand(
            name, f"mentorship.cli_mail:{name.replace('-', '_')}_command", short_help))
    app.cli.add_command(LazyCommand("import-participants",
                                    "mentorship.cli_data:import_participants_command",
                                    "Import a program's participants from a CSV file."))
    app.cli.add_command(LazyCommand("export-csv", "mentorship.cli_data:export_csv_command",
                                    "Export a program's participants, pairings, sessions or "
                                    "feedback as CSV."))
    app.cli.add_command(LazyCommand("prepare-demo", "mentorship.migrate:prepare_demo_command",
                                    "Migrate, load the demo program if the database is empty, "
                                    "and print the logins."))
