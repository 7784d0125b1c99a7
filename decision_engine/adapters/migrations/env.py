"""Alembic environment: run with a connection handed in by `Store.migrate` (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from decision_engine.adapters.tables import SQLModel

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - autogenerate from the command line
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///./data/autogen.db"
    connection = create_engine(url).connect()
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
