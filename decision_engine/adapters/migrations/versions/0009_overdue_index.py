"""The overdue list (issue 11 §2, R22): decisions past their due date and not yet decided, newest first.
With only the (due_by, status) index the database fetched every past-due decision and sorted them (p99 73 ms
at 100k on PostgreSQL); a partial index holding just the undecided decisions that have a due date, in list
order, lets it read the first page straight from the index.

Revision ID: 0009_overdue_index
Revises: 0008_list_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_overdue_index"
down_revision = "0008_list_indexes"
branch_labels = None
depends_on = None

# The statuses before the decision is made (domain.decision.PRE_DECISION); queries.list_decisions renders
# the same list as literals so that both databases can prove the query implies this predicate.
WHERE = sa.text("due_by IS NOT NULL AND status IN ('draft', 'in_procedure', 'ready_for_decision')")


def upgrade() -> None:
    op.create_index("ix_decisions_overdue", "decisions", ["opened_at", "id"], postgresql_where=WHERE,
                    sqlite_where=WHERE)


def downgrade() -> None:
    op.drop_index("ix_decisions_overdue", table_name="decisions")
