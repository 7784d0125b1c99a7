"""The log profile a store was initialised with (issue 17 §5): ``sha256-ed25519`` (the default, what every
store before this revision used) or ``sm3-sm2`` (国密: SM3 chain and Merkle hashes, SM2 signatures). One
row, written when the store is first opened; a store is never opened with another profile.

Revision ID: 0010_log_profile
Revises: 0009_overdue_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_log_profile"
down_revision = "0009_overdue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The profile is never changed (a log never mixes algorithms): the database refuses UPDATE and DELETE,
    # as for the events and checkpoints (0002).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER log_profile_no_{verb.lower()} BEFORE {verb} ON log_profile BEGIN "
                       "SELECT RAISE(ABORT, 'log_profile is append-only'); END")
    else:
        op.execute("CREATE OR REPLACE FUNCTION decide_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'table % is append-only (R18, Art. 33)', TG_TABLE_NAME; END $$ "
                   "LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER log_profile_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON log_profile "
                   "FOR EACH STATEMENT EXECUTE FUNCTION decide_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS log_profile_no_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS log_profile_append_only ON log_profile")
    op.drop_table("log_profile")
