"""The ``expire-requests`` command: store overdue match requests as expired (for cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from mentorship.db import get_session
from mentorship.services import requests


@click.command("expire-requests")
@with_appcontext
def expire_requests_command() -> None:
    """Mark pending match requests past their expiry as expired and tell their mentees.

    Pages already show such requests as expired; this stores it. Safe to run again or
    from several hosts at once: each request is expired, and its mentee told, once.
    """
    session = get_session()
    count = requests.expire_requests(session)
    session.commit()
    click.echo(f"Expired {count} match request{'s' if count != 1 else ''}.")
