"""Personal data at rest: encrypt application fields and booking name/phone, add digests.

Revision ID: 0002_personal_data_at_rest
Revises: 0001_baseline
Create Date: 2026-11-30

Existing plaintext rows are converted in the same transaction as the column changes:
each value is encrypted with the data key (bot/security/keys.py, created on first use)
and the ID/phone digests are computed with the digest key. Which field holds the ID
number is written down here for the kinds that existed at this revision, not read from
the service code, so the revision keeps meaning the same when the code moves on.
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.security.columns import id_digest, phone_digest
from bot.security.keys import decrypt_text, encrypt_text

revision = "0002_personal_data_at_rest"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

#: kind -> (ID field, phone field) as of this revision.
_ID_AND_PHONE: dict[str, tuple[str, str]] = {
    "elderly-allowance": ("elder_id", "phone"),
    "sbk-replace": ("id_number", "phone"),
}

_applications = sa.table("applications", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                         sa.column("fields", sa.Text), sa.column("id_digest", sa.String),
                         sa.column("phone_digest", sa.String))
_appointments = sa.table("appointments", sa.column("id", sa.Integer), sa.column("name", sa.Text),
                         sa.column("phone", sa.Text), sa.column("phone_digest", sa.String))


def _dump(values: Any) -> str:
    """As bot.security.columns.EncryptedJSON writes it."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _optional_digest(digest: Any, value: Any | None) -> str | None:
    return digest(str(value)) if value not in (None, "") else None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.alter_column("fields", existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                           postgresql_using="fields::text")
        batch.add_column(sa.Column("id_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("phone_digest", sa.String(length=64), nullable=True))
        batch.create_index("ix_applications_id_digest", ["id_digest"])
        batch.create_index("ix_applications_phone_digest", ["phone_digest"])
    with op.batch_alter_table("appointments") as batch:
        batch.alter_column("name", existing_type=sa.String(length=50), type_=sa.Text(),
                           existing_nullable=False)
        batch.alter_column("phone", existing_type=sa.String(length=20), type_=sa.Text(),
                           existing_nullable=False)
        batch.add_column(sa.Column("phone_digest", sa.String(length=64), nullable=True))
        batch.create_index("ix_appointments_phone_digest", ["phone_digest"])

    bind = op.get_bind()
    for row_id, kind, raw in bind.execute(
            sa.select(_applications.c.id, _applications.c.kind, _applications.c.fields)).all():
        values = json.loads(raw)
        id_field, phone_field = _ID_AND_PHONE.get(kind, ("", "phone"))
        bind.execute(_applications.update().where(_applications.c.id == row_id).values(
            fields=encrypt_text(_dump(values)),
            id_digest=_optional_digest(id_digest, values.get(id_field)),
            phone_digest=_optional_digest(phone_digest, values.get(phone_field))))
    for row_id, name, phone in bind.execute(
            sa.select(_appointments.c.id, _appointments.c.name, _appointments.c.phone)).all():
        bind.execute(_appointments.update().where(_appointments.c.id == row_id).values(
            name=encrypt_text(name), phone=encrypt_text(phone), phone_digest=phone_digest(phone)))


def downgrade() -> None:
    """Back to plaintext (needs the data key)."""
    bind = op.get_bind()
    for row_id, token in bind.execute(sa.select(_applications.c.id, _applications.c.fields)).all():
        bind.execute(_applications.update().where(_applications.c.id == row_id)
                     .values(fields=decrypt_text(token)))
    for row_id, name, phone in bind.execute(
            sa.select(_appointments.c.id, _appointments.c.name, _appointments.c.phone)).all():
        bind.execute(_appointments.update().where(_appointments.c.id == row_id)
                     .values(name=decrypt_text(name), phone=decrypt_text(phone)))
    with op.batch_alter_table("appointments") as batch:
        batch.drop_index("ix_appointments_phone_digest")
        batch.drop_column("phone_digest")
        batch.alter_column("phone", existing_type=sa.Text(), type_=sa.String(length=20),
                           existing_nullable=False)
        batch.alter_column("name", existing_type=sa.Text(), type_=sa.String(length=50),
                           existing_nullable=False)
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_phone_digest")
        batch.drop_index("ix_applications_id_digest")
        batch.drop_column("phone_digest")
        batch.drop_column("id_digest")
        batch.alter_column("fields", existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                           postgresql_using="fields::json")
