"""The pair's agreement (versioned, accepted by both) and the reflections at the end.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('cadence', sa.Enum('weekly', 'fortnightly', 'monthly', name='cadence', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('mentee_wants', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=500), nullable=False),
    sa.Column('confidentiality', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('mentee_accepted_at', sa.DateTime(), nullable=True),
    sa.Column('mentor_accepted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('session_minutes BETWEEN 15 AND 240', name=op.f('ck_agreements_session_minutes_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_agreements_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairings.id'], name=op.f('fk_agreements_pairing_id_pairings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('pairing_id', 'number', name=op.f('uq_agreements_pairing_id_number'))
    )

    op.create_table('reflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('author_role', sa.Enum('mentee', 'mentor', name='role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('what_next', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairings.id'], name=op.f('fk_reflections_pairing_id_pairings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflections')),
    sa.UniqueConstraint('pairing_id', 'author_role', name=op.f('uq_reflections_pairing_id_author_role'))
    )


def downgrade() -> None:
    op.drop_table('reflections')
    op.drop_table('agreements')
