"""ORM tables for submitted applications and their status history.

`fields` holds only what the kind of application needs (see `kinds.KINDS`), encrypted
as one token (names, ID numbers, phones, addresses, agent data: bot/security/columns.py).
`id_last4` and `phone_last4` are copies kept so a progress lookup by receipt number
can check them without decrypting; `id_digest` and `phone_digest` are keyed digests
for equality lookups (one open application per ID and kind). Times are naive UTC.
No foreign keys to the catalogue: it is replaced wholesale on reload.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.db import Base
from bot.security.columns import EncryptedJSON


class Application(Base):
    __tablename__ = "applications"

    id = Column(Integer, primary_key=True)
    receipt_no = Column(String(10), nullable=False, unique=True)
    kind = Column(String(40), nullable=False)  # catalogue service id, e.g. "elderly-allowance"
    sender_id = Column(String(200), nullable=False, index=True)
    status = Column(String(8), nullable=False)
    fields = Column(EncryptedJSON, nullable=False)
    id_last4 = Column(String(4), nullable=False)
    phone_last4 = Column(String(4), nullable=False)
    id_digest = Column(String(64), index=True)  # bot.security.columns.id_digest
    phone_digest = Column(String(64), index=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    history = relationship(
        "ApplicationStatusChange", order_by="ApplicationStatusChange.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class ApplicationStatusChange(Base):
    __tablename__ = "application_status_history"

    id = Column(Integer, primary_key=True)
    application_id = Column(
        Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True,
    )
    status = Column(String(8), nullable=False)
    reason = Column(Text)
    actor = Column(String(100), nullable=False)
    at = Column(DateTime, nullable=False)
