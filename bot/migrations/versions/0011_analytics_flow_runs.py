"""Every guided flow of a session, and response times per service and district.

Revision ID: 0011_analytics_flow_runs
Revises: 0010_analytics_report_index
Create Date: 2026-12-02

Until now a session kept only its latest flow, and response times only per day and channel,
so the dashboard's completion rate missed earlier flows of a session and its median ignored
the service, department and district filters. Existing rows are carried over: a session's
latest flow becomes its run 1 (the 评价原因 flow, not a service flow, is left out). The new
response-time histogram starts empty: earlier replies count under no service and district.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_analytics_flow_runs"
down_revision = "0010_analytics_report_index"
branch_labels = None
depends_on = None

OLD_INDEX = ["day", "turns", "channel", "district", "answered", "last_turn_fallback", "handoff_open", "handoff",
             "fallbacks", "flow", "flow_outcome", "flow_step"]
NEW_INDEX = ["day", "turns", "channel", "district", "answered", "last_turn_fallback", "handoff_open", "handoff",
             "fallbacks", "flows_started", "flows_submitted"]
UNCOUNTED = "'rating_reason'"


def upgrade() -> None:
    with op.batch_alter_table("analytics_sessions") as batch:
        batch.add_column(sa.Column("flows_started", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("flows_submitted", sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"UPDATE analytics_sessions SET flows_started = 1, "
               f"flows_submitted = CASE WHEN flow_outcome = 'submitted' THEN 1 ELSE 0 END "
               f"WHERE flow IS NOT NULL AND flow <> {UNCOUNTED}")
    op.drop_index("ix_analytics_sessions_report", table_name="analytics_sessions")
    op.create_index("ix_analytics_sessions_report", "analytics_sessions", NEW_INDEX)

    op.create_table(
        "analytics_flow_runs",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["analytics_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "seq"),
    )
    op.execute("INSERT INTO analytics_flow_runs (session_id, seq, flow, step, steps, outcome) "
               "SELECT id, 1, flow, flow_step, flow_steps, flow_outcome FROM analytics_sessions "
               f"WHERE flow IS NOT NULL AND flow <> {UNCOUNTED}")

    op.create_table(
        "analytics_service_response_times",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("bucket_ms", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "service", "district", "bucket_ms"),
        sqlite_with_rowid=False,  # kept in key order on SQLite (models.py)
    )


def downgrade() -> None:
    op.drop_table("analytics_service_response_times")
    op.drop_table("analytics_flow_runs")
    op.drop_index("ix_analytics_sessions_report", table_name="analytics_sessions")
    op.create_index("ix_analytics_sessions_report", "analytics_sessions", OLD_INDEX)
    with op.batch_alter_table("analytics_sessions") as batch:
        batch.drop_column("flows_submitted")
        batch.drop_column("flows_started")
