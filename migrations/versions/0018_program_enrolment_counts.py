"""Each program's mentee and mentor counts, kept by triggers on enrolments, so the admin
overview reads the programs instead of counting every enrolment. Filled here from the
enrolments already stored.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The triggers as the models declare them (tables made by create_all get the same).
from mentorship.models.enrolment_counts import DROPS, TRIGGERS

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("mentee_count", "mentor_count")


def upgrade() -> None:
    for name in COLUMNS:  # a plain ALTER TABLE ADD COLUMN on both databases
        op.add_column("programs", sa.Column(name, sa.Integer(), server_default="0",
                                            nullable=False))
    op.execute(
        "UPDATE programs SET "
        "mentee_count = (SELECT count(*) FROM enrolments "
        "WHERE enrolments.program_id = programs.id AND enrolments.role = 'mentee'), "
        "mentor_count = (SELECT count(*) FROM enrolments "
        "WHERE enrolments.program_id = programs.id AND enrolments.role = 'mentor')")
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPS[op.get_bind().dialect.name]:
        op.execute(statement)
    # A plain DROP COLUMN (SQLite 3.35+), not a batch operation, which on SQLite would
    # copy the programs table and drop the old one.
    for name in COLUMNS:
        op.execute(f"ALTER TABLE programs DROP COLUMN {name}")
