"""Program health: the audit log of admin actions, set-password links for imported
people, each program's "at risk after N quiet days" setting, and when an account was
deleted (its row stays as "A former member").

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_audit_entries_program_id_programs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_program_id_at', ['program_id', 'at'], unique=False)

    op.create_table('password_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_tokens_token_hash'))
    )
    with op.batch_alter_table('password_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_risk_after_days', sa.Integer(), server_default='21', nullable=False))
        batch_op.create_check_constraint("quiet_range", "at_risk_after_days BETWEEN 1 AND 365")



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_constraint("quiet_range", type_="check")
        batch_op.drop_column('at_risk_after_days')

    with op.batch_alter_table('password_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_tokens_user_id'))

    op.drop_table('password_tokens')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_program_id_at')

    op.drop_table('audit_entries')
