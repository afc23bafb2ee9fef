"""Edit versions, the enrolments-by-person index, in-flight attempts, one meaning of weights.

* ``profiles``, ``programs`` and ``enrolments`` get a ``version`` counter: a save made
  from a form opened before another save is refused instead of silently overwriting it.
* ``enrolments.user_id`` is indexed: every signed-in page looks up the person's enrolments.
* ``login_failures.failed``: an attempt is recorded in flight (False) before the password
  is checked and only a wrong password marks it failed; existing rows were failures.
* Program weights used to be partial overrides (0-10) merged with engine defaults that
  sum to 1, so 2 for language made it 69% of the score. They are now the full set of
  relative importances, stored as percentages of the total: each program keeps the
  exact shares it had.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The engine's defaults when 0002 was current; the old meaning merged overrides into these.
OLD_DEFAULTS = {"text": 0.6, "language": 0.1, "timezone": 0.1, "experience": 0.1,
                "industry": 0.1}


def upgrade() -> None:
    for table in ("profiles", "programs", "enrolments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
    with op.batch_alter_table("enrolments") as batch:
        batch.create_index("ix_enrolments_user_id", ["user_id"])
    with op.batch_alter_table("login_failures") as batch:
        batch.add_column(sa.Column("failed", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    _migrate_weights()


def _migrate_weights() -> None:
    conn = op.get_bind()
    programs = sa.table("programs", sa.column("id", sa.Integer), sa.column("weights", sa.JSON))
    for program_id, weights in conn.execute(sa.select(programs.c.id, programs.c.weights)).all():
        if isinstance(weights, str):
            weights = json.loads(weights)
        if not weights:
            continue  # no override: the defaults, as before
        conn.execute(programs.update().where(programs.c.id == program_id)
                     .values(weights=as_shares(weights)))


def as_shares(overrides: dict[str, float]) -> dict[str, float]:
    """The old merged weights as percentages of their total (the defaults if all were 0)."""
    merged = OLD_DEFAULTS | {k: float(v) for k, v in overrides.items() if k in OLD_DEFAULTS}
    total = sum(merged.values())
    if total <= 0:
        return {}
    return {key: round(100 * value / total, 4) for key, value in merged.items()}


def downgrade() -> None:
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("failed")
    with op.batch_alter_table("enrolments") as batch:
        batch.drop_index("ix_enrolments_user_id")
    for table in ("profiles", "programs", "enrolments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
