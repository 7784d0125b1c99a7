"""Comment shards (issue 19 §4): a decision's comments may be received on N hash-chained shard streams
`comments:<decision>#<k>` instead of the one `comments:<decision>`; `public_comments.shard` records which (NULL:
the main stream, as every comment received before). Only adds: no stored event or row is rewritten.

Revision ID: 0015_comment_shards
Revises: 0014_perf_role_versions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_comment_shards"
down_revision = "0014_perf_role_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("public_comments", sa.Column("shard", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("public_comments", "shard")
