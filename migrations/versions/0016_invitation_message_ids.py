"""Invitation emails waiting in the outbox get a plain key as their Message-ID, like every
other email: the stored one already had angle brackets and a domain, which made a
malformed header that stopped delivery.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE outbox_emails SET message_id = "
               "replace(replace(message_id, '<', ''), '@mentorship>', '') "
               "WHERE message_id LIKE '<invite.%'")


def downgrade() -> None:
    op.execute("UPDATE outbox_emails SET message_id = '<' || message_id || '@mentorship>' "
               "WHERE message_id LIKE 'invite.%'")
