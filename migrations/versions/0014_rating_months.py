"""Each program's ratings per month and side (count, sum, distinct pairs), kept as
feedback is written, so the dashboard's trend no longer groups every rating. Filled
here from the ratings already given.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

MONTH = {"postgresql": "CAST(date_trunc('month', feedback.created_at) AS DATE)",
         "sqlite": "date(feedback.created_at, 'start of month')"}


def upgrade() -> None:
    op.create_table(
        "rating_months",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("author_role", sa.Enum("mentee", "mentor", name="role", native_enum=False,
                                         create_constraint=True, length=16), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_rating_months_program_id_programs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "month", "author_role",
                                name=op.f("pk_rating_months")),
    )
    month = MONTH[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO rating_months (program_id, month, author_role, ratings, rating_sum, pairs) "
        f"SELECT pairings.program_id, {month}, feedback.author_role, count(*), "
        "sum(feedback.rating), count(DISTINCT feedback.pairing_id) "
        "FROM feedback JOIN pairings ON pairings.id = feedback.pairing_id "
        f"GROUP BY pairings.program_id, {month}, feedback.author_role")


def downgrade() -> None:
    op.drop_table("rating_months")
