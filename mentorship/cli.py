"""Flask CLI commands: thin wrappers over services (`flask --app wsgi --help`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

from mentorship.db import get_session
from mentorship.services import accounts, demo
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.settings import is_production

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url",
                           current_app.config["DATABASE_URL"].replace("%", "%%"))
    return config


def upgrade_database() -> None:
    """Bring the schema to the newest migration (creates the database if needed)."""
    command.upgrade(alembic_config(), "head")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the database schema to the newest version."""
    upgrade_database()
    click.echo("Database is up to date.")


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


@click.command("prepare-demo")
@click.pass_context
@with_appcontext
def prepare_demo_command(ctx: click.Context) -> None:
    """Migrate, load the demo program if the database is empty, and print the logins.

    One process instead of three keeps `make run` quick on every start after the first.
    """
    ctx.invoke(init_db_command)
    ctx.invoke(seed_demo_command, mentees=150, mentors=50, seed=2026, if_empty=True, force=False)
    ctx.invoke(demo_logins_command)


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(prepare_demo_command)
