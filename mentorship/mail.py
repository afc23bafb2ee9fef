"""Sending email: the only module that talks to an SMTP server.

Two backends share one small interface (``send(message)``, used as a context manager):
``SmtpBackend`` keeps one connection open for a delivery run, and ``FileBackend``
(development) writes each message as an ``.eml`` file and logs one line. Neither knows
about the database; the outbox decides what to send and records how it went.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol, Self

log = logging.getLogger(__name__)


class MailError(Exception):
    """A message was not accepted; ``permanent`` when retrying cannot help (a 5xx answer)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What one email says, independent of how it travels."""

    key: str  # stable and unique: becomes the Message-ID, so a resend is recognisable
    to: str
    subject: str
    body: str


class Backend(Protocol):
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def send(self, message: EmailMessage) -> None: ...


def build(outgoing: Outgoing, sender: str, *, created: Any = None) -> EmailMessage:
    """The RFC 5322 message; its Message-ID is derived from ``outgoing.key`` and the sender's
    domain, so every attempt at one email carries the same Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{outgoing.key}@{domain}>"
    if created is not None:
        message["Date"] = format_datetime(created)
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a notice
    message.set_content(outgoing.body)
    return message


def check_address(address: str) -> bool:
    """True if ``address`` can go in a To: header (it came from a validated account)."""
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        return False
    return True


class SmtpBackend:
    """One SMTP connection per delivery run, opened on the first message."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        host, port, timeout = c["MAIL_SERVER"], int(c["MAIL_PORT"]), float(c["MAIL_TIMEOUT"])
        if c["MAIL_USE_SSL"]:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if c["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            connection.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        return connection

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; ``MailError`` (permanent on a 5xx) if it refuses."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise MailError(f"Recipient refused: {_describe(exc.recipients)}",
                            permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as exc:
            self.close()  # the session may be in any state after a refusal
            # A 5xx about this message is final; about our login or sender it is our
            # configuration, which someone can fix: keep retrying those.
            ours = isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused)
            raise MailError(f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                            permanent=exc.smtp_code >= 500 and not ours) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"{type(exc).__name__}: {exc}") from None
        if refused:  # some recipients refused; we only ever send to one
            raise MailError(f"Recipient refused: {_describe(refused)}", permanent=True)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


class FileBackend:
    """Development: each message becomes ``<directory>/<Message-ID>.eml``, plus a log line."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def __enter__(self) -> Self:
        _show_log()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MailError(f"Cannot create {self.directory}: {exc.strerror}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        path = self.directory / name
        try:
            path.write_bytes(bytes(message))
        except OSError as exc:
            raise MailError(f"Cannot write {path}: {exc.strerror}") from None
        log.info("Email to %s, %r, written to %s", message["To"], message["Subject"], path)


def _show_log() -> None:
    """Make the development backend's line visible: INFO on stderr unless logging is set
    up already (a logging configuration, or pytest's capture); one handler at most."""
    log.setLevel(logging.INFO)
    if logging.getLogger().handlers or log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)


def backend_for(config: Mapping[str, Any]) -> SmtpBackend | FileBackend:
    """The backend ``MAIL_BACKEND`` names (the settings checked it is one of the two)."""
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpBackend(config)
    return FileBackend(config["MAIL_FILE_DIR"])


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _describe(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who}: {code} {_text(text)}" for who, (code, text) in recipients.items())

