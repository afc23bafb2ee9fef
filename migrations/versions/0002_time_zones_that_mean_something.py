"""Time-zone values that never meant what they said become "unknown" / "no limit".

Clocks are at most 12 hours apart around the globe, so a program's limit of 13
to 26 hours never excluded anyone: it becomes no limit (NULL), and forms now
accept 0 to 12. A profile's ``localtime``, ``posixrules`` or ``Factory`` zone
was the server's own setting or "not set", not where the person lives: it
becomes unknown (NULL), and forms and the engine now refuse those names.

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
    op.execute("UPDATE profiles SET timezone = NULL WHERE timezone IN ('localtime', 'posixrules', 'Factory')")


def downgrade() -> None:
    """Nothing to restore: the old values selected the same pairs as NULL."""
