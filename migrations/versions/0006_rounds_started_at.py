"""Matching rounds: when the current run of a round started.

A round is re-run in place (its pins and exclusions stay with it), so its creation
time no longer says how long the engine has been at it. ``started_at`` does: a run
older than the timeout is taken for crashed and marked failed by the next run.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE match_rounds SET started_at = created_at")
    with op.batch_alter_table("match_rounds", schema=None) as batch_op:
        batch_op.alter_column("started_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("match_rounds", schema=None) as batch_op:
        batch_op.drop_column("started_at")
