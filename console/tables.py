"""The console's database tables: accounts, login sessions, audit log, login attempts,
inbox decisions, the model registry, and the hand-off desk's canned replies.

They live in the application's database (GOV_DATABASE_URL) but on a metadata of their
own: the console's migrations (console/migrations) create and change them, the
application's know nothing of them. Open the database with console.database.open_database.

Times are naive UTC, as everywhere else in the project. A session row is keyed by the
SHA-256 of its token, so a copy of the database cannot be used to take over a session.
`login_attempts` holds only recent failed logins (one row per key: "user:<name>" and
"ip:<address>"); rows older than the rate-limit window are pruned as logins happen.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import declarative_base

# SQLAlchemy 1.4 ships no type information, so mypy cannot take the declarative base
# for a class; Any lets the tables subclass it.
Base: Any = declarative_base()


def utc_naive(now: datetime | None = None) -> datetime:
    """`now` (or the current time) as naive UTC, the form the tables store.

    Tests inject `now`; an aware datetime is converted so callers cannot mix zones.
    """
    if now is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(timezone.utc).replace(tzinfo=None)
    return now


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)  # roles.Role value
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)
    #: Set when an admin created or reset the account with a one-time password: the next
    #: login must choose a new one before anything else (console/web/context.py).
    must_change_password = Column(Boolean, nullable=False, default=False, server_default=false())
    last_login_at = Column(DateTime)  # None: no login since the column exists
    #: The department whose 差评回访 the account sees and moves (a catalogue department);
    #: None: every department's (console/followups/scope.py).
    department = Column(String(100))


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id = Column(String(64), primary_key=True)  # hex SHA-256 of the cookie token, never the token
    user_id = Column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True,
    )
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)  # absolute limit, fixed at login
    last_seen_at = Column(DateTime, nullable=False)  # for the idle limit


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    username = Column(String(100), nullable=False, index=True)  # staff member, "cli" or "(unknown)"
    action = Column(String(60), nullable=False, index=True)  # e.g. "user.add", "model_activate"
    detail = Column(JSON)  # masked before it is written
    ip = Column(String(64))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id = Column(Integer, primary_key=True)
    key = Column(Text, nullable=False, index=True)  # "user:<name>" or "ip:<address>"
    at = Column(DateTime, nullable=False, index=True)


class InboxDecision(Base):
    """What staff decided about an inbox phrasing (teaching/decisions.py): one row per text."""

    __tablename__ = "inbox_decisions"
    __table_args__ = (UniqueConstraint("text_normalized", name="uq_inbox_decisions_text"),)

    id = Column(Integer, primary_key=True)
    text_normalized = Column(String(500), nullable=False)
    action = Column(String(20), nullable=False)
    intent = Column(String(100), nullable=True)
    username = Column(String(100), nullable=False)
    at = Column(DateTime, nullable=False)


class ModelRecord(Base):
    """How a model archive was made and scored (training/registry.py)."""

    __tablename__ = "console_models"

    id = Column(Integer, primary_key=True)
    filename = Column(String(255), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    mode = Column(String(16), nullable=False)  # finetune | full | external
    reason = Column(Text, nullable=False)
    trained_by = Column(String(100), nullable=False)
    train_seconds = Column(Float)
    accuracy = Column(Float)
    report = Column(JSON)  # Report.as_dict()
    compared_with = Column(String(255))
    gate_allowed = Column(Boolean)
    gate_reasons = Column(JSON)


class Activation(Base):
    """A model put live, or rolled back to (training/registry.py)."""

    __tablename__ = "console_model_activations"

    id = Column(Integer, primary_key=True)
    filename = Column(String(255), nullable=False)
    previous = Column(String(255))
    kind = Column(String(16), nullable=False)  # activate | rollback
    username = Column(String(100), nullable=False)
    at = Column(DateTime, nullable=False, index=True)


class CannedReply(Base):
    """A reply agents share (常用回复, console/handoff/canned.py): a short title and the text."""

    __tablename__ = "console_canned_replies"
    __table_args__ = (UniqueConstraint("title", name="uq_console_canned_replies_title"),)

    id = Column(Integer, primary_key=True)
    title = Column(String(40), nullable=False)
    text = Column(Text, nullable=False)
    updated_by = Column(String(100), nullable=False)
    updated_at = Column(DateTime, nullable=False)
