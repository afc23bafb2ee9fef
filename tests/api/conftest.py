"""Fixtures for the API tests: a member and an admin, each with a token."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.api.helpers import bearer
from tests.factories import create, make_user


@pytest.fixture
def member(app: Flask) -> int:
    return create(app, lambda s: make_user(s).id)


@pytest.fixture
def admin(app: Flask) -> int:
    return create(app, lambda s: make_user(s, is_admin=True).id)


@pytest.fixture
def auth(app: Flask, member: int) -> dict[str, str]:
    return bearer(app, member)


@pytest.fixture
def admin_auth(app: Flask, admin: int) -> dict[str, str]:
    return bearer(app, admin)
