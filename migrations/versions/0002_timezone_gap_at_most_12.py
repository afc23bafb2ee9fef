"""A program's time-zone limit above 12 hours becomes "no limit", which it always meant.

Clocks are at most 12 hours apart around the globe, so a stored limit of 13 to
26 hours never excluded anyone; forms now accept 0 to 12 and would refuse the
old value on the next edit.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE programs SET max_timezone_gap_hours = NULL WHERE max_timezone_gap_hours > 12")


def downgrade() -> None:
    """Nothing to restore: NULL and a limit over 12 hours select the same pairs."""
