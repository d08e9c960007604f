"""Analytics facts kept by the worker (bot/analytics/models.py).

Revision ID: 0008_analytics
Revises: 0007_evaluation
Create Date: 2026-12-02

New tables only; they hold no message text.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_analytics"
down_revision = "0007_evaluation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("started_ts", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("entry", sa.String(length=200), nullable=True),
        sa.Column("last_service", sa.String(length=64), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("fallbacks", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("last_turn_fallback", sa.Boolean(), nullable=False),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("handoff_open", sa.Boolean(), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("flow_step", sa.Integer(), nullable=True),
        sa.Column("flow_steps", sa.Integer(), nullable=True),
        sa.Column("flow_outcome", sa.String(length=12), nullable=True),
        sa.Column("last_ts", sa.Float(), nullable=False),
        sa.Column("pending_user_ts", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "started_ts", name="uq_analytics_sessions_start"),
    )
    op.create_index("ix_analytics_sessions_conversation_id", "analytics_sessions", ["conversation_id"])
    op.create_index("ix_analytics_sessions_day", "analytics_sessions", ["day", "channel"])
    op.create_table(
        "analytics_session_services",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["analytics_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "service_id"),
    )
    op.create_index("ix_analytics_session_services_service", "analytics_session_services", ["service_id"])
    op.create_table(
        "analytics_response_times",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("bucket_ms", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "bucket_ms"),
    )
    op.create_table(
        "analytics_checkpoints",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    for table in ("analytics_checkpoints", "analytics_response_times", "analytics_session_services",
                  "analytics_sessions"):
        op.drop_table(table)
