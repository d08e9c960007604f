"""Hand-offs: when a staff message may next be tried (a delivering node's lease, or backoff).

Revision ID: 0009_handoff_delivery_due
Revises: 0008_analytics
Create Date: 2026-12-02

handoff_messages gains ``delivery_due_at`` (naive UTC, nullable): a node of the Rasa
server claims a message by moving it into the future with a conditional UPDATE
(bot/handoff/outbox.py), so no other node takes it while it is being delivered, and a
failed attempt sets it to when the next may start. Existing rows get NULL: due now.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_handoff_delivery_due"
down_revision = "0008_analytics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("delivery_due_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("delivery_due_at")
