"""documents: official documents (公文) rendered from the record, with template and output hashes (issue 9)

Revision ID: 0007_documents
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_documents"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("doc_kind", sa.String(length=60), nullable=False),
        sa.Column("artifact_id", sa.String(length=40), nullable=False),
        sa.Column("basis_seq", sa.Integer(), nullable=False),
        sa.Column("basis_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("doc_number", sa.String(length=200), nullable=False),
        sa.Column("template_name", sa.String(length=120), nullable=False),
        sa.Column("template_hash", sa.String(length=64), nullable=False),
        sa.Column("context_hash", sa.String(length=64), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("html_size", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("rendered_at", sa.String(length=40), nullable=False),
        sa.Column("rendered_by", sa.String(length=80), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "doc_kind", "artifact_id", "basis_seq", "template_hash",
                            name="uq_documents_rendering"),
    )
    op.create_index("ix_documents_decision", "documents", ["decision_id", "doc_kind"], unique=False)
    # R18, Art. 33: a rendering is a record; it is never changed or deleted (a new rendering is a new row).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER documents_no_{verb.lower()} BEFORE {verb} ON documents BEGIN "
                       "SELECT RAISE(ABORT, 'documents are append-only (R18, Art. 33)'); END")
    else:
        op.execute("CREATE OR REPLACE FUNCTION decide_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'table % is append-only (R18, Art. 33)', TG_TABLE_NAME; END $$ "
                   "LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER documents_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON documents "
                   "FOR EACH STATEMENT EXECUTE FUNCTION decide_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS documents_no_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS documents_append_only ON documents")
    op.drop_index("ix_documents_decision", table_name="documents")
    op.drop_table("documents")
