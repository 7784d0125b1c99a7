"""participation: public comments, commenter identities (kept apart), opinion clusters, expert pool (issue 4)

Revision ID: 0003_participation
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_participation"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_comments",
        sa.Column("tracking_number", sa.String(length=24), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("notice_artifact_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("identity_sha256", sa.String(length=64), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.String(length=10), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("hidden_reason", sa.String(length=20), nullable=True),
        sa.Column("hidden_note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("tracking_number"),
    )
    op.create_index("ix_public_comments_decision", "public_comments", ["decision_id", "seq"], unique=False)
    op.create_table(
        "comment_identities",
        sa.Column("tracking_number", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tracking_number"),
    )
    op.create_table(
        "opinion_clusters",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("cluster_id", sa.String(length=12), nullable=False),
        sa.Column("representative", sa.String(length=24), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(length=12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_in_version", sa.Integer(), nullable=True),
        sa.Column("disposed_at", sa.String(length=40), nullable=True),
        sa.Column("disposed_by", sa.String(length=80), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", "cluster_id"),
    )
    op.create_table(
        "opinion_cluster_members",
        sa.Column("tracking_number", sa.String(length=24), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("cluster_id", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("tracking_number"),
    )
    op.create_index("ix_opinion_cluster_members_cluster", "opinion_cluster_members",
                    ["decision_id", "cluster_id"], unique=False)
    op.create_table(
        "expert_pool",
        sa.Column("person_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("affiliation", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("expert_pool")
    op.drop_index("ix_opinion_cluster_members_cluster", table_name="opinion_cluster_members")
    op.drop_table("opinion_cluster_members")
    op.drop_table("opinion_clusters")
    op.drop_table("comment_identities")
    op.drop_index("ix_public_comments_decision", table_name="public_comments")
    op.drop_table("public_comments")
