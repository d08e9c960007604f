"""Hand-offs to staff (转人工): requests and their messages (bot/handoff/models.py).

Revision ID: 0005_handoff
Revises: 0004_service_examples
Create Date: 2026-12-02

Two new tables, nothing existing changes. The partial unique index (one queued or
claimed request per conversation) is written for SQLite and PostgreSQL alike, both of
which support `CREATE UNIQUE INDEX … WHERE`. Message text and notes are Fernet tokens
(bot/security/columns.py), so their columns are plain TEXT here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_handoff"
down_revision = "0004_service_examples"
branch_labels = None
depends_on = None

_ACTIVE_ONLY = sa.text("status IN ('queued', 'claimed')")


def upgrade() -> None:
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("flow_step", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("agent", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("agent_replied_at", sa.DateTime(), nullable=True),
        sa.Column("resident_last_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("resumed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_requests_conversation_id", "handoff_requests", ["conversation_id"])
    op.create_index("ix_handoff_requests_agent", "handoff_requests", ["agent"])
    op.create_index("ix_handoff_requests_status_created", "handoff_requests", ["status", "created_at"])
    op.create_index("uq_handoff_requests_active_conversation", "handoff_requests", ["conversation_id"],
                    unique=True, sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY)
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["handoff_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_messages_request_id", "handoff_messages", ["request_id"])


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoff_requests")
