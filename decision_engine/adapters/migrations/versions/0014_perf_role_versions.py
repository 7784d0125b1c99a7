"""A version of each person's role set, so that a request needs no role query when nothing changed (issue 19
§2): `persons.roles_version` is bumped by triggers on every insert, update and delete of the person's rows in
`role_assignments` (in the same transaction as the change, whoever makes it: the services, the console, an edit
in SQL), and `IdentityRepo.person_roles` caches the role rows on (person, roles_version). The person's row is
read on every request as before (one lookup by key); a role granted or ended changes the version it reads, so
the very next request reads the roles again.

Revision ID: 0014_perf_role_versions
Revises: 0013_decision_organ
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_perf_role_versions"
down_revision = "0013_decision_organ"
branch_labels = None
depends_on = None

_BUMP = "UPDATE persons SET roles_version = roles_version + 1 WHERE id = {row}.person_id"
SQLITE_TRIGGERS = {  # name -> (event, statements)
    "role_assignments_version_insert": ("INSERT", [_BUMP.format(row="NEW")]),
    "role_assignments_version_update": ("UPDATE", [_BUMP.format(row="OLD"),
                                                   _BUMP.format(row="NEW") + " AND NEW.person_id <> OLD.person_id"]),
    "role_assignments_version_delete": ("DELETE", [_BUMP.format(row="OLD")]),
}
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION decide_bump_roles_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE persons SET roles_version = roles_version + 1 WHERE id = NEW.person_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE persons SET roles_version = roles_version + 1 WHERE id = OLD.person_id;
        IF NEW.person_id IS DISTINCT FROM OLD.person_id THEN
            UPDATE persons SET roles_version = roles_version + 1 WHERE id = NEW.person_id;
        END IF;
    ELSE
        UPDATE persons SET roles_version = roles_version + 1 WHERE id = OLD.person_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.add_column("persons", sa.Column("roles_version", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "sqlite":
        for name, (verb, statements) in SQLITE_TRIGGERS.items():
            body = " ".join(f"{s};" for s in statements)
            op.execute(f"CREATE TRIGGER {name} AFTER {verb} ON role_assignments BEGIN {body} END")
    else:
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER role_assignments_version AFTER INSERT OR UPDATE OR DELETE ON role_assignments "
                   "FOR EACH ROW EXECUTE FUNCTION decide_bump_roles_version()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS role_assignments_version ON role_assignments")
        op.execute("DROP FUNCTION IF EXISTS decide_bump_roles_version()")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("roles_version")
