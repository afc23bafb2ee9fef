"""Indexes for the program dashboard: sessions per week, each pair's last session and
latest log, and ratings per month, read from indexes alone.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEXES = (
    ("meetings", "ix_meetings_status_starts_at", ["status", "starts_at", "pairing_id"]),
    ("meetings", "ix_meetings_pairing_id_status_starts_at", ["pairing_id", "status", "starts_at"]),
    ("meetings", "ix_meetings_pairing_id_logged_at", ["pairing_id", "logged_at", "id"]),
    ("feedback", "ix_feedback_pairing_id_created_at",
     ["pairing_id", "created_at", "id", "author_role", "rating"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
