"""Configuration from defaults and the environment, with production safety checks."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

MIN_SECRET_LENGTH = 32
WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test"}


# Throttles, per window: a kickoff workshop of 200 people behind one office address can
# sign up and sign in together, while five wrong passwords still stop guessing at one
# account. Only wrong passwords count towards the sign-in limits.
THROTTLE_LIMITS = {
    "THROTTLE_WINDOW_MINUTES": 15,
    "THROTTLE_SIGN_IN_PER_ACCOUNT": 5,
    "THROTTLE_SIGN_IN_PER_ADDRESS": 100,
    "THROTTLE_SIGN_UP_PER_ADDRESS": 300,
    "THROTTLE_CONFIRM_PER_ACCOUNT": 5,
}
# Email: a file per message in instance/mail/ during development, SMTP in production.
MAIL_BACKENDS = ("smtp", "file")
MAIL_DEFAULTS = {
    "MAIL_BACKEND": None,  # None = "smtp" in production, "file" elsewhere
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS after connecting
    "MAIL_USE_SSL": False,  # TLS from the first byte (usually port 465)
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "Mentorship <noreply@localhost>",
    "MAIL_TIMEOUT": 10,  # seconds per SMTP connection and command
    "MAIL_MAX_ATTEMPTS": 8,  # then delivery of that email gives up
    "MAIL_SITE_URL": "http://127.0.0.1:5000",  # links in emails start with it
    "MAIL_FILE_DIR": None,  # None = instance/mail
}
DATABASE_DEFAULTS = {
    "DATABASE_POOL_SIZE": 10,  # connections per process, plus as many again in a burst
    "DATABASE_POOL_TIMEOUT": 10,  # seconds a request waits for one before a 503
}


class ConfigError(RuntimeError):
    """The app must not start with this configuration."""


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, then ``MENTORSHIP_*`` variables (or ``test_config`` instead).

    Outside tests ``DATABASE_URL`` and ``SECRET_KEY`` count without the prefix too.
    Production refuses a weak secret; elsewhere a missing one is made and kept in ``instance/``.
    """
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'mentorship.sqlite'}",
        ENV="development",
        CSRF_ENABLED=True,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PROXY_COUNT=0,
        TRUSTED_ORIGINS=[],  # origins besides the request's own that may send state changes
        SESSION_COOKIE_SECURE=None,  # None = decided below by the environment
        REMEMBER_COOKIE_SECURE=None,
    )
    app.config.from_mapping(THROTTLE_LIMITS | DATABASE_DEFAULTS | MAIL_DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("MENTORSHIP")
        for name in ("DATABASE_URL", "SECRET_KEY"):
            if os.environ.get(name):
                app.config[name] = os.environ[name]
    else:
        app.config.update(test_config)
    if app.config["DATABASE_URL"].startswith("postgresql://"):
        # Use psycopg 3, the driver we ship, for plain postgresql:// URLs.
        app.config["DATABASE_URL"] = "postgresql+psycopg://" + app.config["DATABASE_URL"][13:]
    production = is_production(app.config)
    if production:
        check_production(app.config)
        app.debug = False
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret(instance)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config[name] is None:  # HTTPS-only cookies in production unless told otherwise
            app.config[name] = production
    check_mail(app.config, production, instance)


def check_mail(config: dict[str, Any], production: bool, instance: Path) -> None:
    """Fill in the mail defaults that depend on the environment and refuse contradictions."""
    if config["MAIL_BACKEND"] is None:
        config["MAIL_BACKEND"] = "smtp" if production else "file"
    if config["MAIL_FILE_DIR"] is None:
        config["MAIL_FILE_DIR"] = str(instance / "mail")
    if config["MAIL_BACKEND"] not in MAIL_BACKENDS:
        raise ConfigError(f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, "
                          f"not {config['MAIL_BACKEND']!r}.")
    if config["MAIL_USE_TLS"] and config["MAIL_USE_SSL"]:
        raise ConfigError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL, not both.")
    for name in ("MAIL_PORT", "MAIL_TIMEOUT", "MAIL_MAX_ATTEMPTS"):
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{name} must be a positive number, not {value!r}.")


def is_production(config: dict[str, Any]) -> bool:
    """``MENTORSHIP_ENV=production``, or any non-SQLite database outside the test suite."""
    if config.get("TESTING"):
        return False
    return config["ENV"] == "production" or not config["DATABASE_URL"].startswith("sqlite")


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start in production with a weak ``SECRET_KEY`` or with debug on."""
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_LENGTH or key.lower() in WEAK_SECRETS or len(set(key)) < 10:
        raise ConfigError(
            "SECRET_KEY must be set to a random string of at least "
            f"{MIN_SECRET_LENGTH} characters in production, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if config.get("DEBUG"):
        raise ConfigError("Debug mode must be off in production.")


def development_secret(instance: Path) -> str:
    """A random key created once in ``instance/`` and reused, so sessions survive restarts."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
