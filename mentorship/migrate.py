"""Schema migrations (Alembic) and the commands that run them.

Loaded only by these commands (see ``cli.LazyCommand``), and Alembic only when a
migration runs: importing it takes longer than the rest of the app, so every other
command, the web server's start and these commands' ``--help`` go without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from mentorship.cli import demo_logins_command, seed_demo_command

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """Alembic's settings, made in code: our migrations and the app's database URL.

    ``%`` is doubled because Alembic reads options through ConfigParser interpolation.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url",
                           current_app.config["DATABASE_URL"].replace("%", "%%"))
    return config


def upgrade_database() -> None:
    """Bring the schema to the newest migration (creates the database if needed)."""
    from alembic import command

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
