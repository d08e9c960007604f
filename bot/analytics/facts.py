"""What each conversation event changes in the fact tables (models.py).

The definitions the dashboard states, in one place:

- a *turn* is a resident's message; it is a *fallback* turn when NLU fell back
  (``nlu_fallback``) or the assistant asked the resident to say it again;
- a session is *answered* when the assistant gave a service or FAQ answer in it;
- it is *resolved* when answered, its last turn was not a fallback, and it did not end
  with a hand-off (report.py);
- *response time*: from the resident's message to the assistant's first reply to it;
- a reply's response time counts for the channel, and for the service and district the
  conversation was on once the turn was answered (a service's slot is set after its answer);
- a guided flow's step is the "（第n步，共m步）" its question showed (bot/flows/engine.py);
  its outcome is the flow_done slot: submitted, cancelled or ended. Every flow a session
  starts is a run of its own; the 评价原因 flow (the reason for a poor rating) is not a
  guided service flow and is not counted.

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
#: Flows that are part of the conversation, not a service: bot/flows/rating_reason.py.
UNCOUNTED_FLOWS = frozenset({"rating_reason"})
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


@dataclass(frozen=True)
class Timing:
    """One reply's response time, with what it is counted under (the response-time histograms, models.py)."""

    day: date
    channel: str
    service: str  # "" when the conversation was on no service
    district: str  # "" when unknown
    bucket_ms: int


@dataclass
class FlowRun:
    """One guided flow of a session, numbered from 1 in the order started (AnalyticsFlowRun)."""

    seq: int
    flow: str
    step: int | None = None
    steps: int | None = None
    outcome: str | None = None


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
    flows_started: int = 0  # counted flows; the current one (flow, flow_step…) is run number flows_started
    flows_submitted: int = 0
    last_ts: float = 0.0
    pending_user_ts: float | None = None
    #: Response times measured while applying this batch.
    timings: list[Timing] = field(default_factory=list)
    #: Flows superseded by a newer one while applying this batch (the current one is saved too).
    finished_runs: list[FlowRun] = field(default_factory=list)
    #: Replies of the turn in progress, (day, bucket_ms): counted once the turn is answered.
    _unsettled: list[tuple[date, int]] = field(default_factory=list)
    #: The conversation is inside an uncounted flow (its steps and outcome are ignored).
    _in_uncounted_flow: bool = False

    @classmethod
    def starting(cls, conversation_id: str, ts: float) -> SessionFacts:
        return cls(conversation_id=conversation_id, started_ts=ts, channel=channel_of(conversation_id), last_ts=ts)

    def current_run(self) -> FlowRun | None:
        if self.flow is None or not self.flows_started:
            return None
        return FlowRun(self.flows_started, self.flow, self.flow_step, self.flow_steps, self.flow_outcome)

    def settle_timings(self) -> None:
        """Count the turn's replies under the service and district it ended on (called by the
        next message and before the facts are saved)."""
        for day, bucket in self._unsettled:
            self.timings.append(Timing(day, self.channel, self.last_service or "", self.district or "", bucket))
        self._unsettled.clear()

    def _fallback_turn(self) -> None:
        if not self.last_turn_fallback:
            self.fallbacks += 1
        self.last_turn_fallback = True

    def apply(self, event: Mapping[str, Any]) -> None:
        """Change the facts by one event of this session (not session_started: see :func:`route`)."""
        kind, ts = event.get("event"), float(event.get("timestamp") or self.last_ts)
        self.last_ts = max(self.last_ts, ts)
        if kind == "user":
            self.settle_timings()
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
                self._unsettled.append((local_day(ts), bucket_of(ms)))
                self.pending_user_ts = None
            step = _STEP.search(event.get("text") or "")
            if step and self.flow is not None and self.flow_outcome is None and not self._in_uncounted_flow:
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
            self._start_flow(value["flow"][:64])
        elif name == "flow_done" and value in FLOW_OUTCOMES:
            if self._in_uncounted_flow:
                self._in_uncounted_flow = False
            elif self.flow is not None and self.flow_outcome is None:
                self.flow_outcome = str(value)
                self.flows_submitted += value == "submitted"

    def _start_flow(self, flow: str) -> None:
        """A flow_state naming a flow (set once, when a flow starts: actions/flow_start.py): a new
        run, unless the flow is uncounted."""
        self._in_uncounted_flow = flow in UNCOUNTED_FLOWS
        if self._in_uncounted_flow:
            return
        previous = self.current_run()
        if previous is not None:
            self.finished_runs.append(previous)
        self.flows_started += 1
        self.flow, self.flow_step, self.flow_steps, self.flow_outcome = flow, None, None, None


SESSION_START_ACTION = "action_session_start"


def is_session_start(event: Mapping[str, Any]) -> bool:
    return event.get("event") == "session_started"


def is_before_session(event: Mapping[str, Any]) -> bool:
    """Rasa's action_session_start, logged just before the session_started it leads to."""
    return event.get("event") == "action" and event.get("name") == SESSION_START_ACTION
