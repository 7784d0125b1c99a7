"""meetings: executive and plenary meetings and their agenda items (issue 5, R14–R15)

Revision ID: 0004_meetings
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_meetings"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("meeting_type", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("head", sa.String(length=80), nullable=False),
        sa.Column("convened_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meetings_held_on", "meetings", ["held_on"], unique=False)
    op.create_table(
        "meeting_items",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "item_no"),
    )
    op.create_index("ix_meeting_items_decision", "meeting_items", ["decision_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_meeting_items_decision", table_name="meeting_items")
    op.drop_table("meeting_items")
    op.drop_index("ix_meetings_held_on", table_name="meetings")
    op.drop_table("meetings")
