"""A GET that writes (a CSV export, recorded in the audit log) takes the write lock up
front like any other writing request: on SQLite a read transaction that writes late
fails at once if someone else wrote since it began, whatever the busy timeout, and the
admin would get "busy, try again" for a download."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import AuditEntry
from mentorship.services import exports
from tests.factories import create, login, make_program, make_user
from tests.flows import mentee
from tests.helpers import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's locking")


@pytest.mark.parametrize("path", ["/admin/programs/{id}/exports/participants.csv",
                                  "/api/v1/admin/programs/{id}/exports/participants.csv"])
def test_an_export_waits_for_a_writer_instead_of_failing(file_app: Flask, path: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    program_id = create(file_app, lambda s: mentee(s, make_program(s, name="Locked"),
                                                   "Ada Lovelace").program_id)
    admin_id = create(file_app, lambda s: make_user(s, is_admin=True).id)
    client = file_app.test_client()
    login(file_app, client, admin_id)
    database = file_app.config["DATABASE_URL"].removeprefix("sqlite:///")
    record = exports.record_action
    writers: list[threading.Thread] = []

    def someone_writes() -> None:
        writer = sqlite3.connect(database, isolation_level=None, timeout=10)
        writer.execute("BEGIN IMMEDIATE")  # waits while the export holds the write lock
        writer.execute("UPDATE programs SET description = 'changed' WHERE id = ?",
                       (program_id,))
        writer.commit()
        writer.close()

    def record_after_someone_wrote(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        writers.append(threading.Thread(target=someone_writes))
        writers[0].start()
        time.sleep(0.3)  # time enough to commit, unless this request holds the lock
        record(*args, **kwargs)

    monkeypatch.setattr(exports, "record_action", record_after_someone_wrote)
    answer = client.get(path.format(id=program_id), headers={"Accept": "text/csv"})
    writers[0].join()
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    lines = iter(answer.response)
    first = [next(lines) for _ in range(3)]  # the CSV streams: its rows are being read
    probe = sqlite3.connect(database, isolation_level=None, timeout=0.5)
    probe.execute("BEGIN IMMEDIATE")  # the stream reads without holding the write lock
    probe.rollback()
    probe.close()
    assert b"Ada Lovelace" in b"".join([*first, *lines])
    with file_app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AuditEntry)) == 1
