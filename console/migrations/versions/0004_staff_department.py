"""Staff accounts get an optional department, which scopes their 差评回访.

Revision ID: console_0004_staff_department
Revises: console_0003_canned_replies
Create Date: 2026-12-02

``staff_users.department``: a catalogue department (e.g. 市民政局); an account with one
sees and moves only that department's follow-ups of poor ratings, one without (NULL, every
existing account) sees all of them. Numbered 0004 because another branch adds 0003; at
merge the later of the two is re-chained onto the other.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0004_staff_department"
down_revision = "console_0003_canned_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("department", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("department")
