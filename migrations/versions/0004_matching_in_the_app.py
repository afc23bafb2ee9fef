"""Matching in the app: requests, pairings, rounds with proposals and exclusions, notifications.

Also a mentor enrolment's ``seats_taken`` (active pairings, kept within capacity by a
CHECK) and a program's ``request_expiry_days``. The partial unique indexes hold the
rules concurrent requests must not break: one active pairing per mentee, one pending
request per mentee-mentor pair, one running round per program.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('match_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'draft', 'published', 'discarded', 'failed', name='roundstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_match_rounds_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_match_rounds_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_rounds'))
    )
    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_rounds_program_id'), ['program_id'], unique=False)
        batch_op.create_index('uq_match_rounds_running_program', ['program_id'], unique=True, sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('subject_id > 0', name=op.f('ck_notifications_subject_given')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('match_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentee_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('mentor_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', 'expired', 'cancelled', name='requeststatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('decline_reason', sa.Enum('no_capacity', 'not_my_expertise', 'someone_else_fits_better', 'schedule', 'other', name='declinereason', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_enrolment_id'], ['enrolments.id'], name=op.f('fk_match_requests_mentee_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_enrolment_id'], ['enrolments.id'], name=op.f('fk_match_requests_mentor_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_match_requests_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_requests'))
    )
    with op.batch_alter_table('match_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_requests_mentee_enrolment_id'), ['mentee_enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_requests_mentor_enrolment_id'), ['mentor_enrolment_id'], unique=False)
        batch_op.create_index('uq_match_requests_pending_pair', ['mentee_enrolment_id', 'mentor_enrolment_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('round_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('mentee_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('mentor_enrolment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_enrolment_id'], ['enrolments.id'], name=op.f('fk_round_exclusions_mentee_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_enrolment_id'], ['enrolments.id'], name=op.f('fk_round_exclusions_mentor_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['match_rounds.id'], name=op.f('fk_round_exclusions_round_id_match_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_exclusions')),
    sa.UniqueConstraint('round_id', 'mentee_enrolment_id', 'mentor_enrolment_id', name=op.f('uq_round_exclusions_round_id_mentee_enrolment_id_mentor_enrolment_id'))
    )
    op.create_table('round_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('mentee_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('mentor_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_enrolment_id'], ['enrolments.id'], name=op.f('fk_round_proposals_mentee_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_enrolment_id'], ['enrolments.id'], name=op.f('fk_round_proposals_mentor_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['match_rounds.id'], name=op.f('fk_round_proposals_round_id_match_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_proposals')),
    sa.UniqueConstraint('round_id', 'mentee_enrolment_id', name=op.f('uq_round_proposals_round_id_mentee_enrolment_id'))
    )
    op.create_table('pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentee_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('mentor_enrolment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'ended', name='pairingstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source', sa.Enum('request', 'round', name='pairingsource', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.Enum('goals_met', 'not_a_good_fit', 'no_time', 'program_ended', 'other', name='endreason', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_pairings_ended_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_enrolment_id'], ['enrolments.id'], name=op.f('fk_pairings_mentee_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_enrolment_id'], ['enrolments.id'], name=op.f('fk_pairings_mentor_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_pairings_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['match_requests.id'], name=op.f('fk_pairings_request_id_match_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['match_rounds.id'], name=op.f('fk_pairings_round_id_match_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairings'))
    )
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairings_mentee_enrolment_id'), ['mentee_enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairings_mentor_enrolment_id'), ['mentor_enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairings_program_id'), ['program_id'], unique=False)
        batch_op.create_index('uq_pairings_active_mentee', ['mentee_enrolment_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_taken', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            "seats_within_capacity",
            "seats_taken >= 0 AND (capacity IS NULL AND seats_taken = 0 OR seats_taken <= capacity)")

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_expiry_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.create_check_constraint("expiry_range", "request_expiry_days BETWEEN 1 AND 30")



def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_constraint("expiry_range", type_="check")
        batch_op.drop_column('request_expiry_days')

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint("seats_within_capacity", type_="check")
        batch_op.drop_column('seats_taken')

    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.drop_index('uq_pairings_active_mentee', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_pairings_program_id'))
        batch_op.drop_index(batch_op.f('ix_pairings_mentor_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_pairings_mentee_enrolment_id'))

    op.drop_table('pairings')
    op.drop_table('round_proposals')
    op.drop_table('round_exclusions')
    with op.batch_alter_table('match_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_match_requests_pending_pair', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_match_requests_mentor_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_match_requests_mentee_enrolment_id'))

    op.drop_table('match_requests')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')

    op.drop_table('notifications')
    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.drop_index('uq_match_rounds_running_program', sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))
        batch_op.drop_index(batch_op.f('ix_match_rounds_program_id'))

    op.drop_table('match_rounds')
