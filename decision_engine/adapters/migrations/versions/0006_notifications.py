"""notifications: the statutory clock's duty keys, notifications (outbox + inbox), contacts (issue 8)

Revision ID: 0006_notifications
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_notifications"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_duties",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("duty", sa.String(length=80), nullable=False),
        sa.Column("due", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("done_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", "duty", "due", name="pk_clock_duties"),
    )
    op.create_index("ix_clock_duties_ref", "clock_duties", ["duty", "ref"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=80), nullable=False),
        sa.Column("duty", sa.String(length=80), nullable=False),
        sa.Column("due", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("delivered_at", sa.String(length=40), nullable=True),
        sa.Column("read_at", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "duty", "due", "person_id", name="uq_notifications_duty_person"),
    )
    op.create_index("ix_notifications_person", "notifications", ["person_id", "created_at"], unique=False)
    op.create_index("ix_notifications_status", "notifications", ["status"], unique=False)
    op.create_table(
        "notification_contacts",
        sa.Column("person_id", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("heads_unit", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index("ix_notification_contacts_heads", "notification_contacts", ["heads_unit"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notification_contacts_heads", table_name="notification_contacts")
    op.drop_table("notification_contacts")
    op.drop_index("ix_notifications_status", table_name="notifications")
    op.drop_index("ix_notifications_person", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_clock_duties_ref", table_name="clock_duties")
    op.drop_table("clock_duties")
