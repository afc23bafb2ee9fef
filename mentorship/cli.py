"""Flask CLI commands: thin wrappers over services (`flask --app wsgi --help`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

from mentorship.db import get_session
from mentorship.services import accounts
from mentorship.services.errors import Conflict, FieldErrors

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


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_admin_command)
