"""Completed sessions per program and week, and each pair's latest completed session,
kept as sessions are logged, so the dashboard no longer reads every session of twelve
weeks. Filled here from the sessions already logged.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WEEK = {"postgresql": "CAST(date_trunc('week', meetings.starts_at) AS DATE)",
        "sqlite": "date(meetings.starts_at, 'weekday 0', '-6 days')"}


def upgrade() -> None:
    op.create_table(
        "session_weeks",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_session_weeks_program_id_programs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "week", name=op.f("pk_session_weeks")),
    )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_session_at", sa.DateTime(), nullable=True))
    week = WEEK[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO session_weeks (program_id, week, completed) "
        f"SELECT pairings.program_id, {week}, count(*) "
        "FROM meetings JOIN pairings ON pairings.id = meetings.pairing_id "
        f"WHERE meetings.status = 'completed' GROUP BY pairings.program_id, {week}")
    op.execute(
        "UPDATE pairings SET last_session_at = (SELECT max(meetings.starts_at) FROM meetings "
        "WHERE meetings.pairing_id = pairings.id AND meetings.status = 'completed')")


def downgrade() -> None:
    # Not a batch operation: on SQLite that copies the table and drops the old one, and
    # with foreign keys on, dropping it deletes every session and rating of the pairs.
    op.execute("ALTER TABLE pairings DROP COLUMN last_session_at")
    op.drop_table("session_weeks")
