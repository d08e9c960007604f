"""Residents' example questions per service (services.examples), for service search.

Revision ID: 0004_service_examples
Revises: 0003_record_proof_attempts
Create Date: 2026-12-02

A JSON list, NOT NULL with the server default '[]', so the services already in the table
(YAML or imported) keep every value and start with no examples. Issue 14: staff add
examples in the console, and the search index reads them without retraining.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_service_examples"
down_revision = "0003_record_proof_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("examples", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.drop_column("examples")
