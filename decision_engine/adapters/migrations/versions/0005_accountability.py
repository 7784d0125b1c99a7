"""accountability: cases and undue-delay incidents; public opinions on execution (issue 6, Arts. 34, 38–41)

Revision ID: 0005_accountability
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_accountability"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accountability_cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("incident_key", sa.String(length=100), nullable=True),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_key", name="uq_accountability_incident"),
    )
    op.create_index("ix_accountability_decision", "accountability_cases", ["decision_id"], unique=False)
    op.create_index("ix_accountability_status", "accountability_cases", ["status", "opened_at"], unique=False)
    op.create_table(
        "execution_opinions",
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("identity", sa.Text(), nullable=True),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tracking_number"),
    )
    op.create_index("ix_execution_opinions_decision", "execution_opinions", ["decision_id", "received_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_execution_opinions_decision", table_name="execution_opinions")
    op.drop_table("execution_opinions")
    op.drop_index("ix_accountability_status", table_name="accountability_cases")
    op.drop_index("ix_accountability_decision", table_name="accountability_cases")
    op.drop_table("accountability_cases")
