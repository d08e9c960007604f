"""Every guided flow of a session, and response times per service and district.

Revision ID: 0011_analytics_flow_runs
Revises: 0010_analytics_report_index
Create Date: 2026-12-02

Until now a session kept only its latest flow, and the response-time histogram only the day
and channel, so the dashboard's completion rate missed earlier flows of a session and its
median ignored the service, department and district filters. Existing rows are carried over:
a session's latest flow becomes its run 1 (the 评价原因 flow, not a service flow, is left out),
and existing response times count under no service and no district.
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


def _response_times(name: str, *, dimensions: bool) -> None:
    extra = [sa.Column("service", sa.String(length=64), nullable=False),
             sa.Column("district", sa.String(length=32), nullable=False)] if dimensions else []
    keys = ["day", "channel", *(["service", "district"] if dimensions else []), "bucket_ms"]
    op.create_table(
        name,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *extra,
        sa.Column("bucket_ms", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=f"pk_{name}"),
        sqlite_with_rowid=not dimensions,  # the new table is kept in key order on SQLite (models.py)
    )


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

    _response_times("analytics_response_times_v2", dimensions=True)
    op.execute("INSERT INTO analytics_response_times_v2 (day, channel, service, district, bucket_ms, count) "
               "SELECT day, channel, '', '', bucket_ms, count FROM analytics_response_times")
    op.drop_table("analytics_response_times")
    op.rename_table("analytics_response_times_v2", "analytics_response_times")


def downgrade() -> None:
    _response_times("analytics_response_times_v1", dimensions=False)
    op.execute("INSERT INTO analytics_response_times_v1 (day, channel, bucket_ms, count) "
               "SELECT day, channel, bucket_ms, SUM(count) FROM analytics_response_times "
               "GROUP BY day, channel, bucket_ms")
    op.drop_table("analytics_response_times")
    op.rename_table("analytics_response_times_v1", "analytics_response_times")
    op.drop_table("analytics_flow_runs")
    op.drop_index("ix_analytics_sessions_report", table_name="analytics_sessions")
    op.create_index("ix_analytics_sessions_report", "analytics_sessions", OLD_INDEX)
    with op.batch_alter_table("analytics_sessions") as batch:
        batch.drop_column("flows_submitted")
        batch.drop_column("flows_started")
