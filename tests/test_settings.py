"""Configuration safety: production refuses weak secrets; development makes one."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from mentorship import settings


def config_for(**values: object) -> dict[str, object]:
    return {"ENV": "development", "DATABASE_URL": "sqlite://", "TESTING": False} | values


@pytest.mark.parametrize("key", [None, "", "dev", "short-key", "a" * 64])
def test_production_refuses_a_weak_secret_key(key: str | None) -> None:
    with pytest.raises(settings.ConfigError, match="SECRET_KEY"):
        settings.check_production(config_for(ENV="production", SECRET_KEY=key))


def test_production_accepts_a_strong_key_and_no_debug() -> None:
    settings.check_production(config_for(SECRET_KEY="Zq8pW3nV0xLr5tYb2cHs9dFg4jKm7aQe1uIo6"))
    with pytest.raises(settings.ConfigError, match="Debug"):
        settings.check_production(config_for(SECRET_KEY="Zq8pW3nV0xLr5tYb2cHs9dFg4jKm7aQe1uIo6",
                                             DEBUG=True))


def test_a_server_database_means_production() -> None:
    assert settings.is_production(config_for(DATABASE_URL="postgresql+psycopg://db/app"))
    assert settings.is_production(config_for(ENV="production"))
    assert not settings.is_production(config_for())


def test_create_app_in_production_without_key_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorship import create_app
    monkeypatch.setenv("MENTORSHIP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(settings.ConfigError):
        create_app()


def test_development_secret_is_created_once_and_reused(tmp_path: Path) -> None:
    first = settings.development_secret(tmp_path)
    assert len(first) >= settings.MIN_SECRET_LENGTH
    assert settings.development_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(file_app: Flask) -> None:
    from sqlalchemy import text

    from mentorship.db import get_engine
    with file_app.app_context():
        engine = get_engine()
        if engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_production_cookies_are_https_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorship import create_app
    monkeypatch.setenv("MENTORSHIP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "Zq8pW3nV0xLr5tYb2cHs9dFg4jKm7aQe1uIo6")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.debug is False
    monkeypatch.setenv("MENTORSHIP_SESSION_COOKIE_SECURE", "false")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_development_cookies_work_over_plain_http(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] is False
