"""The decision list filtered by the reader in the query (AR13, Arts. 6, 38 ¶1): the decisions table gains the
organ recorded at opening (`DecisionOpened.organ`, AR1), with an index in list order, so that a page of the
list holds only the decisions the reader may read without loading each decision's state. Existing rows are
filled from their own stored projection (the `organ` key of the state JSON); a decision opened before the
organ was recorded keeps NULL and is read by the organ of its unit, as `authority.decision_organ` says.

Revision ID: 0013_decision_organ
Revises: 0012_merge_heads
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0013_decision_organ"
down_revision = "0012_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("organ", sa.String(length=200), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, state FROM decisions")).all()
    for did, state in rows:
        organ = json.loads(state).get("organ")
        if organ is not None:
            conn.execute(sa.text("UPDATE decisions SET organ = :o WHERE id = :i"), {"o": organ, "i": did})
    op.create_index("ix_decisions_organ_opened", "decisions", ["organ", "opened_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_organ_opened", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("organ")
