"""Applying a batch of broker events to the fact tables, in the caller's transaction.

A batch is grouped by conversation; each conversation's latest session row is loaded once,
its events applied in memory (facts.py), and the rows written back: one small transaction
per batch whatever its size, so the worker keeps up with bursts. The worker is meant to run
once per deployment (the response-time counters are read-modify-write).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.facts import FlowRun, SessionFacts, Timing, is_before_session, is_session_start, local_day, utc_naive
from bot.analytics.models import (
    AnalyticsFlowRun,
    AnalyticsResponseTime,
    AnalyticsServiceResponseTime,
    AnalyticsSession,
    AnalyticsSessionService,
)

Event = Mapping[str, Any]
_FIELDS = ("district", "entry", "last_service", "turns", "fallbacks", "answered", "last_turn_fallback", "handoff",
           "handoff_open", "flow", "flow_step", "flow_steps", "flow_outcome", "flows_started", "flows_submitted",
           "last_ts", "pending_user_ts")


def _latest(session: Session, conversation_id: str) -> AnalyticsSession | None:
    return session.execute(select(AnalyticsSession).where(AnalyticsSession.conversation_id == conversation_id)
                           .order_by(AnalyticsSession.started_ts.desc()).limit(1)).scalar_one_or_none()


def _facts(row: AnalyticsSession) -> SessionFacts:
    facts = SessionFacts(conversation_id=row.conversation_id, started_ts=row.started_ts, channel=row.channel)
    for name in _FIELDS:
        setattr(facts, name, getattr(row, name))
    return facts


def _save_runs(session: Session, session_id: int, runs: list[FlowRun]) -> None:
    for run in runs:
        saved = session.get(AnalyticsFlowRun, (session_id, run.seq))
        if saved is None:
            saved = AnalyticsFlowRun(session_id=session_id, seq=run.seq)
            session.add(saved)
        saved.flow, saved.step, saved.steps, saved.outcome = run.flow, run.step, run.steps, run.outcome


def _add_counts(session: Session, model: type[Any], counts: Counter[tuple[Any, ...]]) -> None:
    """Add each key's count to its counter row (the key in the model's primary-key order)."""
    names = [column.name for column in model.__table__.primary_key.columns]
    for key, count in counts.items():
        counter = session.get(model, key)
        if counter is None:
            session.add(model(**dict(zip(names, key, strict=True)), count=count))
        else:
            counter.count += count


def _count_timings(session: Session, timings: list[Timing]) -> None:
    """The batch's response times, summed per counter first: one read and write per counter
    row, not per reply."""
    _add_counts(session, AnalyticsResponseTime, Counter((t.day, t.channel, t.bucket_ms) for t in timings))
    _add_counts(session, AnalyticsServiceResponseTime,
                Counter((t.day, t.channel, t.service, t.district, t.bucket_ms) for t in timings))


def _save(session: Session, facts: SessionFacts, row: AnalyticsSession | None) -> None:
    facts.settle_timings()
    if row is None:
        row = session.execute(select(AnalyticsSession).where(
            AnalyticsSession.conversation_id == facts.conversation_id,
            AnalyticsSession.started_ts == facts.started_ts)).scalar_one_or_none()
    if row is None:
        row = AnalyticsSession(conversation_id=facts.conversation_id, started_ts=facts.started_ts,
                               started_at=utc_naive(facts.started_ts), day=local_day(facts.started_ts),
                               channel=facts.channel)
        session.add(row)
    for name in _FIELDS:
        setattr(row, name, getattr(facts, name))
    session.flush()
    if facts.services:
        known = set(session.execute(select(AnalyticsSessionService.service_id).where(
            AnalyticsSessionService.session_id == row.id)).scalars())
        session.add_all(AnalyticsSessionService(session_id=row.id, service_id=s) for s in facts.services - known)
    current = facts.current_run()
    _save_runs(session, row.id, facts.finished_runs + ([current] if current else []))


def apply_batch(session: Session, events: Iterable[tuple[str, Event]]) -> int:
    """Apply (conversation id, event) pairs in order; the number of events applied."""
    by_conversation: dict[str, list[Event]] = {}
    for conversation_id, event in events:
        by_conversation.setdefault(conversation_id, []).append(event)
    applied, timings = 0, []
    for conversation_id, conversation_events in by_conversation.items():
        row = _latest(session, conversation_id)
        facts = _facts(row) if row is not None else None
        for event in conversation_events:
            ts = float(event.get("timestamp") or 0.0)
            if facts is None and is_before_session(event):
                applied += 1
                continue
            if is_session_start(event) or facts is None:
                if facts is not None:
                    _save(session, facts, row)
                    timings += facts.timings
                facts, row = SessionFacts.starting(conversation_id, ts), None
                if is_session_start(event):
                    applied += 1
                    continue
            facts.apply(event)
            applied += 1
        if facts is not None:
            _save(session, facts, row)
            timings += facts.timings
    _count_timings(session, timings)
    return applied
