"""Failed receipt-number proofs (bot/records/attempts.py).

Revision ID: 0003_record_proof_attempts
Revises: 0002_personal_data_at_rest
Create Date: 2026-12-01

Created only if missing: a database made by `create_all` while the table already existed
in the models (but this revision did not) has it already.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_record_proof_attempts"
down_revision = "0002_personal_data_at_rest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("record_proof_attempts"):
        return
    op.create_table(
        "record_proof_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("receipt_no", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_proof_attempts_at", "record_proof_attempts", ["at"])
    op.create_index("ix_record_proof_attempts_receipt_no", "record_proof_attempts", ["receipt_no"])
    op.create_index("ix_record_proof_attempts_sender_id", "record_proof_attempts", ["sender_id"])


def downgrade() -> None:
    op.drop_table("record_proof_attempts")
