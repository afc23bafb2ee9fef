"""The mail commands for cron: ``deliver-mail``, ``send-digest`` and ``send-reminders``.

Thin wrappers over ``services/outbox.py`` and ``services/reminders.py``, loaded only
when they run (see ``cli.LazyCommand``). ``send-reminders`` and ``send-digest`` write
their emails to the outbox and leave sending to ``deliver-mail`` (run it every minute
or so); each command commits its own work, so they can run in any order or at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from mentorship import mail
from mentorship.db import get_session
from mentorship.models import utcnow
from mentorship.services import outbox, reminders

log = logging.getLogger(__name__)

REMINDER_LABELS = {"reminder_session": "sessions", "reminder_check_in": "check-ins",
                   "reminder_action_items": "overdue action items",
                   "reminder_agreement": "agreements", "reminder_request": "expiring requests"}
NOW_HELP = "Act as if it were this UTC time (ISO 8601), e.g. for tests; default: now."


def parse_now(value: datetime | None) -> datetime:
    """``--now`` as naive UTC, like every stored time."""
    if value is None:
        return utcnow()
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@click.command("deliver-mail")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Send at most this many emails in this run.")
@click.option("--now", type=click.DateTime(), help=NOW_HELP)
@with_appcontext
def deliver_mail_command(limit: int, now: datetime | None) -> None:
    """Send the outbox's due emails, retrying failures later with growing waits."""
    config = current_app.config
    session = get_session()
    moment = parse_now(now)
    attempts = int(config["MAIL_MAX_ATTEMPTS"])
    ids = outbox.due(session, moment, max_attempts=attempts, limit=limit)
    session.commit()  # no transaction stays open while the server is talked to
    with click.progressbar(ids, label="Delivering email", show_pos=True) as bar:
        try:
            tally = deliver(session, config, moment, bar)
        except mail.MailError as exc:  # the backend cannot start at all
            raise click.ClickException(str(exc)) from None
    gave_up = outbox.given_up(session, max_attempts=attempts)
    session.commit()
    sent = tally["sent"]
    click.echo(f"Sent {sent} email{'s' if sent != 1 else ''}; {tally['failed']} failed "
               f"({tally['gave_up']} of them for good); {tally['taken']} taken by another "
               f"run; {gave_up} given up in all (see last_error in outbox_emails).")


def deliver(session: Session, config: Mapping[str, Any], now: datetime,
            ids: Iterable[int]) -> Counter[str]:
    """Claim, send and mark each email of ``ids``, committing after each step; returns
    how many were sent, failed, gave up, or were taken by another run."""
    tally: Counter[str] = Counter()
    attempts = int(config["MAIL_MAX_ATTEMPTS"])
    with mail.backend_for(config) as backend:
        for email_id in ids:
            # The clock moves on during a long run: each claim's lease counts from its own
            # moment (``now`` is later than the clock only when a test sets it).
            moment = max(now, utcnow())
            claimed = outbox.claim(session, email_id, moment, max_attempts=attempts)
            session.commit()  # claimed before sending: no other run sends it now
            if claimed is None:
                tally["taken"] += 1
                continue
            try:
                backend.send(mail.build(mail.Outgoing(
                    claimed.key, claimed.to, claimed.subject,
                    outbox.with_links(claimed.body, config["MAIL_SITE_URL"])),
                    config["MAIL_FROM"], created=claimed.created_at.replace(tzinfo=UTC)))
            except mail.MailError as exc:
                tally["failed"] += 1
                tally["gave_up"] += outbox.mark_failed(
                    session, claimed, str(exc), moment, permanent=exc.permanent,
                    max_attempts=attempts)
            except Exception as exc:  # noqa: BLE001 - one bad email must not stop the rest
                log.exception("email %s could not be built or sent", email_id)
                tally["failed"] += 1
                tally["gave_up"] += outbox.mark_failed(
                    session, claimed, f"Could not be sent as written: {exc!r}", moment,
                    permanent=True, max_attempts=attempts)
            else:
                tally["sent"] += 1
                outbox.mark_sent(session, email_id, max(now, utcnow()))
            session.commit()
    return tally


@click.command("send-digest")
@click.option("--now", type=click.DateTime(), help=NOW_HELP)
@with_appcontext
def send_digest_command(now: datetime | None) -> None:
    """Queue one email per digest reader with their notices of the last day.

    Run it once a day; running it again the same day queues nothing new. The emails go
    out with the next ``deliver-mail``.
    """
    session = get_session()
    run = outbox.queue_digests(session, parse_now(now))
    session.commit()
    click.echo(f"Queued {run.people} digest{'s' if run.people != 1 else ''} holding "
               f"{run.notices} notice{'s' if run.notices != 1 else ''}; "
               "`flask --app wsgi deliver-mail` sends them.")


@click.command("send-reminders")
@click.option("--now", type=click.DateTime(), help=NOW_HELP)
@with_appcontext
def send_reminders_command(now: datetime | None) -> None:
    """Remind people of sessions within 24 h, check-ins due, overdue action items,
    agreements waiting for them and requests about to expire.

    Run it from cron as often as you like: each reminder is given once per thing,
    person and day. Reminders are notifications; those people want by email go to the
    outbox, which ``deliver-mail`` sends.
    """
    session = get_session()
    moment = parse_now(now)
    due = reminders.due_reminders(session, moment)
    with click.progressbar(length=len(due), label="Reminders", show_pos=True) as bar:
        run = reminders.send_reminders(session, moment, due, bar.update)
    session.commit()
    given = sum(run.given.values())
    detail = ", ".join(f"{run.given[kind]} {label}" for kind, label in REMINDER_LABELS.items()
                       if run.given[kind])
    click.echo(f"Gave {given} reminder{'s' if given != 1 else ''}"
               + (f" ({detail})" if detail else "")
               + f"; {run.already} given already today. Emails among them go out with "
               "`flask --app wsgi deliver-mail`.")
