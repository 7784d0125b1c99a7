"""transparency log: witness cosignatures; checkpoints and cosignatures append-only

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cosignatures',
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('witness_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('size', 'witness_key')
    )
    # A signed checkpoint and a witness's cosignature are never changed or removed: like the events and
    # the log leaves (0001), the database itself refuses UPDATE and DELETE (C2SP tlog-checkpoint: a log
    # that signed a tree head is bound to it).
    if op.get_bind().dialect.name == "sqlite":
        for table in ("checkpoints", "cosignatures"):
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                           f"SELECT RAISE(ABORT, '{table} are append-only'); END")
    else:
        op.execute("CREATE OR REPLACE FUNCTION decide_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'table % is append-only (R18, Art. 33)', TG_TABLE_NAME; END $$ "
                   "LANGUAGE plpgsql")
        for table in ("checkpoints", "cosignatures"):
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION decide_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("checkpoints", "cosignatures"):
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    else:
        for table in ("checkpoints", "cosignatures"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.drop_table('cosignatures')
