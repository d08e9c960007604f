"""Fact tables the analytics worker keeps, so no page ever reads the tracker store.

One row per conversation session (``analytics_sessions``: Rasa starts a new session after
the domain's session_expiration_time), the services it touched
(``analytics_session_services``), the guided flows it ran (``analytics_flow_runs``), a
histogram of the assistant's response times per day and channel
(``analytics_response_times``), the same per service and district too
(``analytics_service_response_times``: medians are read from them, no raw timings kept),
and each source's read position (``analytics_checkpoints``). No message text is kept: only ids, names of
services, districts and channels, counts and times.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)

from bot.db import Base

REPORT_COLUMNS = ("day", "turns", "channel", "district", "answered", "last_turn_fallback", "handoff_open", "handoff",
                  "fallbacks", "flows_started", "flows_submitted")


class AnalyticsSession(Base):
    __tablename__ = "analytics_sessions"
    __table_args__ = (
        UniqueConstraint("conversation_id", "started_ts", name="uq_analytics_sessions_start"),
        # Covers every column the dashboard's queries read (report.py), so a period is read from
        # the index alone: 3-4x faster than by day and row at 100,000 sessions (bench/analytics_scale.py).
        Index("ix_analytics_sessions_report", *REPORT_COLUMNS),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    started_ts = Column(Float, nullable=False)  # Rasa's event timestamp (epoch seconds)
    started_at = Column(DateTime, nullable=False)  # naive UTC
    day = Column(Date, nullable=False)  # local (Asia/Shanghai)
    channel = Column(String(16), nullable=False)
    district = Column(String(32))
    entry = Column(String(200))  # where the conversation began (a widget's host page), if known
    last_service = Column(String(64))
    turns = Column(Integer, nullable=False, default=0)
    fallbacks = Column(Integer, nullable=False, default=0)
    answered = Column(Boolean, nullable=False, default=False)  # a service or FAQ answer was given
    last_turn_fallback = Column(Boolean, nullable=False, default=False)
    handoff = Column(Boolean, nullable=False, default=False)  # a hand-off was requested in the session
    handoff_open = Column(Boolean, nullable=False, default=False)  # …and the assistant has not answered since
    flow = Column(String(64))  # the latest guided flow started (its run: analytics_flow_runs)
    flow_step = Column(Integer)  # the furthest step shown
    flow_steps = Column(Integer)  # its number of steps
    flow_outcome = Column(String(12))  # submitted, cancelled, ended; None: started, not finished
    flows_started = Column(Integer, nullable=False, default=0)
    flows_submitted = Column(Integer, nullable=False, default=0)
    last_ts = Column(Float, nullable=False)  # the time of the latest event applied
    pending_user_ts = Column(Float)  # the resident's message not yet answered


class AnalyticsSessionService(Base):
    __tablename__ = "analytics_session_services"
    __table_args__ = (Index("ix_analytics_session_services_service", "service_id"),)

    session_id = Column(Integer, ForeignKey("analytics_sessions.id", ondelete="CASCADE"), primary_key=True)
    service_id = Column(String(64), primary_key=True)


class AnalyticsFlowRun(Base):
    """A guided flow a session started: where it was left, or that it was submitted."""

    __tablename__ = "analytics_flow_runs"

    session_id = Column(Integer, ForeignKey("analytics_sessions.id", ondelete="CASCADE"), primary_key=True)
    seq = Column(Integer, primary_key=True)  # 1 for the session's first flow
    flow = Column(String(64), nullable=False)
    step = Column(Integer)
    steps = Column(Integer)
    outcome = Column(String(12))


class AnalyticsResponseTime(Base):
    """Replies per day, channel and response-time bucket: every figure without a service,
    department or district filter, read in a few thousand rows."""

    __tablename__ = "analytics_response_times"

    day = Column(Date, primary_key=True)
    channel = Column(String(16), primary_key=True)
    bucket_ms = Column(Integer, primary_key=True)  # lower bound of the bucket (facts.BUCKETS_MS)
    count = Column(Integer, nullable=False, default=0)


class AnalyticsServiceResponseTime(Base):
    """The same replies also per service and district, for the figures that name one: at
    100,000 conversations some 150,000 rows for 60 days, so read only when needed."""

    __tablename__ = "analytics_service_response_times"
    # SQLite keeps the rows in key order (day first) with their counts: a period is one range
    # read, about twice as fast as through a separate key index (bench/analytics_scale.py).
    __table_args__ = {"sqlite_with_rowid": False}

    day = Column(Date, primary_key=True)
    channel = Column(String(16), primary_key=True)
    service = Column(String(64), primary_key=True)  # "" for replies outside any service
    district = Column(String(32), primary_key=True)  # "" when unknown
    bucket_ms = Column(Integer, primary_key=True)
    count = Column(Integer, nullable=False, default=0)


class AnalyticsCheckpoint(Base):
    __tablename__ = "analytics_checkpoints"

    source = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    updated_at = Column(DateTime, nullable=False)
