"""Accounts managed in the browser: a forced password change, the last login; audit filters.

Revision ID: console_0002_account_lifecycle
Revises: console_0001_baseline
Create Date: 2026-12-02

``staff_users.must_change_password``: an account created or reset by an admin gets a
one-time password and must choose its own at the next login (NOT NULL, server default
false, so existing accounts log in as before). ``staff_users.last_login_at``: shown on the
账号管理 page (NULL: never logged in since). Indexes on ``audit_log.username`` and
``audit_log.action``, which the 操作记录 page filters by.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0002_account_lifecycle"
down_revision = "console_0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))
    op.create_index("ix_audit_log_username", "audit_log", ["username"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_index("ix_audit_log_username", table_name="audit_log")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("last_login_at")
        batch.drop_column("must_change_password")
