"""Sending a request may fit the program's matcher (after any mentor's edit); on SQLite
that fit must not hold the database's write lock, or every other write waits for it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask

import matching
from tests.factories import create, login, make_program
from tests.flows import mentee, mentor
from tests.helpers import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL has no database-wide write lock")
def test_a_cold_matcher_is_fitted_before_the_request_takes_the_write_lock(
        file_app: Flask, file_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Spring Cohort")
        return {"mentee": mentee(session, program, "Ada Lovelace").user_id,
                "mentor": mentor(session, program, "Grace Hopper").id}
    ids = create(file_app, build)
    path = file_database_url.removeprefix("sqlite:///")
    real_fit = matching.Matcher.fit
    writes_during_fit: list[bool] = []

    def fit(self: Any, mentors: Any) -> Any:
        other = sqlite3.connect(path, timeout=0.2)  # someone else writing right now
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            writes_during_fit.append(True)
        except sqlite3.OperationalError:
            writes_during_fit.append(False)
        finally:
            other.close()
        return real_fit(self, mentors)
    monkeypatch.setattr(matching.Matcher, "fit", fit)
    client = file_app.test_client()
    login(file_app, client, ids["mentee"])
    answer = client.post(f"/mentors/{ids['mentor']}/request", data={"message": "Hello"})
    assert answer.status_code == 302
    assert writes_during_fit == [True]
