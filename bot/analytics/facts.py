"""What each conversation event changes in the fact tables (models.py).

The definitions the dashboard states, in one place:

- a *turn* is a resident's message; it is a *fallback* turn when NLU fell back
  (``nlu_fallback``) or the assistant asked the resident to say it again;
- a session is *answered* when the assistant gave a service or FAQ answer in it;
- it is *resolved* when answered, its last turn was not a fallback, and it did not end
  with a hand-off (report.py);
- *response time*: from the resident's message to the assistant's first reply to it;
- a guided flow's step is the "（第n步，共m步）" its question showed (bot/flows/engine.py);
  its outcome is the flow_done slot: submitted, cancelled or ended.

Events are applied in the order the broker delivered them, which is each conversation's
order (its tracker is saved under Rasa's lock). Each source is read exactly once by a
checkpoint (SQL) or acknowledged after the facts are committed (RabbitMQ): a crash between
that commit and the acknowledgement redelivers a batch, the one case counted twice.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from bot.appointments.calendar import LOCAL_TZ
from bot.handoff.origin import channel_of

FALLBACK_INTENT = "nlu_fallback"
REPHRASE_ACTIONS = frozenset({"utter_ask_rephrase", "utter_default", "action_default_fallback"})
HANDOFF_ACTION = "action_human_handoff"
FAQ_ACTION_PREFIX = "utter_faq"
FLOW_OUTCOMES = frozenset({"submitted", "cancelled", "ended"})
_STEP = re.compile(r"（第(\d{1,2})步，共(\d{1,2})步）")

#: Lower bounds of the response-time buckets, in ms: 50 ms steps to 1 s, 250 ms to 5 s, 1 s to 30 s.
BUCKETS_MS: tuple[int, ...] = (tuple(range(0, 1000, 50)) + tuple(range(1000, 5000, 250))
                               + tuple(range(5000, 30001, 1000)))


def bucket_of(ms: float) -> int:
    """The bucket a response time falls in (the last one holds everything from 30 s)."""
    chosen = 0
    for bound in BUCKETS_MS:
        if ms < bound:
            break
        chosen = bound
    return chosen


def local_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, LOCAL_TZ).date()


def utc_naive(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


@dataclass
class SessionFacts:
    """One session's facts while the worker applies events (saved to AnalyticsSession)."""

    conversation_id: str
    started_ts: float
    channel: str
    district: str | None = None
    entry: str | None = None
    last_service: str | None = None
    services: set[str] = field(default_factory=set)
    turns: int = 0
    fallbacks: int = 0
    answered: bool = False
    last_turn_fallback: bool = False
    handoff: bool = False
    handoff_open: bool = False
    flow: str | None = None
    flow_step: int | None = None
    flow_steps: int | None = None
    flow_outcome: str | None = None
    last_ts: float = 0.0
    pending_user_ts: float | None = None
    #: Response times measured while applying this batch: (day, channel, bucket_ms).
    timings: list[tuple[date, str, int]] = field(default_factory=list)

    @classmethod
    def starting(cls, conversation_id: str, ts: float) -> SessionFacts:
        return cls(conversation_id=conversation_id, started_ts=ts, channel=channel_of(conversation_id), last_ts=ts)

    def _fallback_turn(self) -> None:
        if not self.last_turn_fallback:
            self.fallbacks += 1
        self.last_turn_fallback = True

    def apply(self, event: Mapping[str, Any]) -> None:
        """Change the facts by one event of this session (not session_started: see :func:`route`)."""
        kind, ts = event.get("event"), float(event.get("timestamp") or self.last_ts)
        self.last_ts = max(self.last_ts, ts)
        if kind == "user":
            self.turns += 1
            self.pending_user_ts, self.last_turn_fallback, self.handoff_open = ts, False, False
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == FALLBACK_INTENT:
                self._fallback_turn()
            entry = (event.get("metadata") or {}).get("entry")
            if self.entry is None and isinstance(entry, str) and entry:
                self.entry = entry[:200]
        elif kind == "bot":
            if self.pending_user_ts is not None:
                ms = max(ts - self.pending_user_ts, 0.0) * 1000
                self.timings.append((local_day(ts), self.channel, bucket_of(ms)))
                self.pending_user_ts = None
            step = _STEP.search(event.get("text") or "")
            if step and self.flow is not None:
                self.flow_step = max(self.flow_step or 0, int(step.group(1)))
                self.flow_steps = int(step.group(2))
        elif kind == "action":
            self._action(str(event.get("name") or ""))
        elif kind == "slot":
            self._slot(str(event.get("name") or ""), event.get("value"))
        elif kind == "pause":
            self.handoff = self.handoff_open = True

    def _action(self, name: str) -> None:
        if name in REPHRASE_ACTIONS:
            self._fallback_turn()
        elif name == HANDOFF_ACTION:
            self.handoff = self.handoff_open = True
        elif name.startswith(FAQ_ACTION_PREFIX):
            self.answered = True

    def _slot(self, name: str, value: Any) -> None:
        if name == "current_service" and isinstance(value, str) and value:
            self.last_service = value[:64]
            self.services.add(value[:64])
            self.answered = True
        elif name == "district" and isinstance(value, str) and value:
            self.district = value[:32]
        elif name == "flow_state" and isinstance(value, dict) and isinstance(value.get("flow"), str):
            self.flow, self.flow_step, self.flow_steps, self.flow_outcome = value["flow"][:64], None, None, None
        elif name == "flow_done" and value in FLOW_OUTCOMES and self.flow is not None and self.flow_outcome is None:
            self.flow_outcome = str(value)


SESSION_START_ACTION = "action_session_start"


def is_session_start(event: Mapping[str, Any]) -> bool:
    return event.get("event") == "session_started"


def is_before_session(event: Mapping[str, Any]) -> bool:
    """Rasa's action_session_start, logged just before the session_started it leads to."""
    return event.get("event") == "action" and event.get("name") == SESSION_START_ACTION
