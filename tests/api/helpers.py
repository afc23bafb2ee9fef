"""Helpers for the API tests: tokens and database look-ups."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import User
from mentorship.services import accounts
from tests.factories import create


def bearer(app: Flask, user_id: int) -> dict[str, str]:
    """An Authorization header with a fresh token for the user."""
    def issue(session: Any) -> str:
        return accounts.issue_api_token(session, session.get(User, user_id))[0]
    return {"Authorization": f"Bearer {create(app, issue)}"}


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))


def fetch(app: Flask, model: Any, ident: int) -> Any:
    """A fresh copy of a row, read after the request finished."""
    with app.app_context():
        return get_session().get(model, ident)
