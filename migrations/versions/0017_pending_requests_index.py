"""A partial index on each mentor's pending requests, so the dashboard's waiting count and
the mentor's incoming list read only those, not every request they ever received.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PENDING = {"sqlite_where": sa.text("status = 'pending'"),
           "postgresql_where": sa.text("status = 'pending'")}


def upgrade() -> None:
    op.create_index("ix_match_requests_pending_mentor", "match_requests",
                    ["mentor_enrolment_id", "expires_at"], unique=False, **PENDING)


def downgrade() -> None:
    op.drop_index("ix_match_requests_pending_mentor", table_name="match_requests", **PENDING)
