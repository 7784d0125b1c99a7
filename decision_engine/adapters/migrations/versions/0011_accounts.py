"""accounts (issue 15 §5, GB/T 22239-2019 level 3): failed authentications counted in the database (so every
API worker sees them), account locks, and an index for reading the security audit trail by event type.

Revision ID: 0011_accounts
Revises: 0009_overdue_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_accounts"
down_revision = "0009_overdue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=140), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_failures_scope", "auth_failures", ["scope", "at"], unique=False)
    op.create_index("ix_auth_failures_at", "auth_failures", ["at"], unique=False)
    op.create_table(
        "account_locks",
        sa.Column("person_id", sa.String(length=80), nullable=False),
        sa.Column("locked_at", sa.String(length=40), nullable=False),
        sa.Column("locked_until", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index("ix_events_type_id", "events", ["type", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_type_id", table_name="events")
    op.drop_table("account_locks")
    op.drop_index("ix_auth_failures_at", table_name="auth_failures")
    op.drop_index("ix_auth_failures_scope", table_name="auth_failures")
    op.drop_table("auth_failures")
