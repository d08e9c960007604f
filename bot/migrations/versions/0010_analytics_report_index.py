"""A covering index for the dashboard's queries in place of the (day, channel) one.

Revision ID: 0010_analytics_report_index
Revises: 0009_handoff_delivery_due
Create Date: 2026-12-02

report.py reads a period's sessions by day and aggregates a dozen of their columns; with only
(day, channel) indexed, SQLite looked every row up after the index, 3-4 times slower than
reading all the columns from one index (bench/analytics_scale.py). The new index starts with
day, so it serves everything the old one did.
"""
from __future__ import annotations

from alembic import op

revision = "0010_analytics_report_index"
down_revision = "0009_handoff_delivery_due"
branch_labels = None
depends_on = None

COLUMNS = ["day", "turns", "channel", "district", "answered", "last_turn_fallback", "handoff_open", "handoff",
           "fallbacks", "flow", "flow_outcome", "flow_step"]


def upgrade() -> None:
    op.create_index("ix_analytics_sessions_report", "analytics_sessions", COLUMNS)
    op.drop_index("ix_analytics_sessions_day", table_name="analytics_sessions")


def downgrade() -> None:
    op.create_index("ix_analytics_sessions_day", "analytics_sessions", ["day", "channel"])
    op.drop_index("ix_analytics_sessions_report", table_name="analytics_sessions")
