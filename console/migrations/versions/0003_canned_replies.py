"""The hand-off desk's canned replies (常用回复), shared by every agent.

Revision ID: console_0003_canned_replies
Revises: console_0002_account_lifecycle
Create Date: 2026-12-03

``console_canned_replies``: a short title (unique, what the agent picks) and the text put
in the reply box; who changed it last and when (the audit log keeps the history).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0003_canned_replies"
down_revision = "console_0002_account_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("title", name="uq_console_canned_replies_title"),
    )


def downgrade() -> None:
    op.drop_table("console_canned_replies")
