"""Schema migrations (Alembic) and the commands that run them.

Loaded only by these commands (see ``cli.LazyCommand``): importing Alembic would
otherwise slow down every other command and the web server's start.
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import with_appcontext

from mentorship.cli import demo_logins_command, seed_demo_command

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """Alembic's settings, made in code: our migrations and the app's database URL.

    ``%`` is doubled because Alembic reads options through ConfigParser interpolation.
    """
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
