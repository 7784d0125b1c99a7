"""merge every head into one: the feature branches off 0001 (0002 transparency, 0003 participation, 0004
meetings, 0005 accountability, 0006 notifications, 0007 documents) and the two revisions that both followed
0009_overdue_index (0010_log_profile, issue 17; 0011_accounts, issue 15 §5). After this revision `alembic
heads` gives one head, and a store at the old heads upgrades by this one step (no schema change: its
alembic_version rows become one). No table: the organisation chart (issue 15 §1) is folded from its events
on `org:chart`, and `decide verify` re-derives it from them.

Revision ID: 0012_merge_heads
Revises: 0002, 0003_participation, 0004_meetings, 0005_accountability, 0006_notifications, 0007_documents,
         0010_log_profile, 0011_accounts
"""

from __future__ import annotations

revision = "0012_merge_heads"
down_revision = ("0002", "0003_participation", "0004_meetings", "0005_accountability", "0006_notifications",
                 "0007_documents", "0010_log_profile", "0011_accounts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
