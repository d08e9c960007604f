"""Hand-offs: delivery outcomes of staff messages, and out-of-hours tickets (留言工单).

Revision ID: 0006_handoff_delivery_tickets
Revises: 0005_handoff
Create Date: 2026-12-02

handoff_messages gains ``delivery_error`` (why a channel could not deliver a staff
message, e.g. WeChat's 45015 outside its 48-hour window) and ``delivery_attempts``;
handoff_tickets holds the messages residents leave when no agent is on duty or free
(bot/handoff/models.py HandoffTicket). Callback number and message are Fernet tokens
(plain TEXT here); ``phone_digest`` is their keyed digest for lookups.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_handoff_delivery_tickets"
down_revision = "0005_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("delivery_error", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("delivery_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_handoff_messages_undelivered", "handoff_messages", ["delivered_at", "direction"])
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("callback_phone", sa.Text(), nullable=False),
        sa.Column("phone_digest", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_handoff_tickets_number"),
    )
    op.create_index("ix_handoff_tickets_conversation_id", "handoff_tickets", ["conversation_id"])
    op.create_index("ix_handoff_tickets_status_due", "handoff_tickets", ["status", "due_on"])


def downgrade() -> None:
    op.drop_table("handoff_tickets")
    op.drop_index("ix_handoff_messages_undelivered", table_name="handoff_messages")
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("delivery_attempts")
        batch.drop_column("delivery_error")
