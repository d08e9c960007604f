"""Synthetic conversations as Rasa's event broker carries them, for bench/analytics_scale.py.

The event shapes are the assistant's own (the actions, slots and flow step texts that
bot/analytics/facts.py reads): greetings, service answers with a district, FAQ answers,
fallbacks, 转人工, guided flows submitted or left at a step. The mix and the spread over
channels, districts, services, hours and days are fixed by a seed, so two runs generate the
same data. Texts are short generic phrases with no personal data (a flow's answers are
placeholders); conversation ids are random-looking, as the channels make them.
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from bot.appointments.calendar import LOCAL_TZ

Event = dict[str, Any]
#: (channel prefix, share): web chat, WeChat, REST integrations.
CHANNELS = (("web:", 0.55), ("wechat:", 0.40), ("rest:", 0.05))
#: Guided flows and their number of steps (bot/flows/).
FLOWS = (("elderly-allowance", 6), ("sbk-replace", 5), ("appointment", 6))
#: Kinds of conversation and their share of all conversations.
KINDS = (("answered", 0.40), ("faq", 0.15), ("fallback_then_answered", 0.10), ("fallback_end", 0.08),
         ("handoff", 0.07), ("flow_submitted", 0.10), ("flow_left", 0.10))


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    events: list[Event]
    turns: int  # the resident's messages
    service: str | None
    district: str | None
    channel: str


def _user(ts: float, text: str, intent: str) -> Event:
    return {"event": "user", "timestamp": ts, "text": text, "metadata": {},
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text}}


def _bot(ts: float, text: str) -> Event:
    return {"event": "bot", "timestamp": ts, "text": text, "data": {}}


def _action(ts: float, name: str) -> Event:
    return {"event": "action", "timestamp": ts, "name": name}


def _slot(ts: float, name: str, value: Any) -> Event:
    return {"event": "slot", "timestamp": ts, "name": name, "value": value}


class _Turns:
    """Builds one conversation's events turn by turn, with realistic reply delays."""

    def __init__(self, rng: random.Random, start: float) -> None:
        self.rng, self.t, self.turns = rng, start, 0
        self.events: list[Event] = [_action(start, "action_session_start"),
                                    {"event": "session_started", "timestamp": start + 0.0001},
                                    _action(start + 0.0002, "action_listen")]

    def _delay(self) -> float:
        """A reply time: mostly 50-400 ms, sometimes over a second (a slow catalogue read)."""
        return self.rng.choice((0.05, 0.08, 0.12, 0.2, 0.3, 0.4, 1.2)) * self.rng.uniform(0.8, 1.25)

    def turn(self, text: str, intent: str, action: str, reply: str, *, slots: Sequence[tuple[str, Any]] = (),
             reply_first: bool = True) -> None:
        self.t += self.rng.uniform(4, 40)  # the resident reads and types
        self.turns += 1
        self.events.append(_user(self.t, text, intent))
        done = self.t + self._delay()
        self.events.append(_action(done - 0.01, action))
        if reply_first:
            self.events.append(_bot(done, reply))
        self.events.extend(_slot(done, name, value) for name, value in slots)
        if not reply_first:
            self.events.append(_bot(done, reply))
        self.events.append(_action(done + 0.01, "action_listen"))

    def pause(self) -> None:
        self.events.append({"event": "pause", "timestamp": self.t + 0.5})


class Generator:
    """Conversations over `days` local days ending `last_day`, from the catalogue's services and districts."""

    def __init__(self, services: Sequence[str], districts: Sequence[str], *, last_day: date, days: int = 60,
                 seed: int = 17) -> None:
        self.services, self.districts = list(services), list(districts)
        self.last_day, self.days, self.rng = last_day, days, random.Random(seed)

    def _start(self) -> float:
        day = self.last_day - timedelta(days=self.rng.randrange(self.days))
        hour = self.rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 10, 12, 15, 15,
                                                    13, 10, 8, 7, 6, 4, 2, 1])[0]
        moment = datetime.combine(day, time(hour, self.rng.randrange(60), self.rng.randrange(60)), LOCAL_TZ)
        return moment.timestamp()

    def _answer(self, turns: _Turns, service: str, district: str | None) -> None:
        turns.turn("这个怎么办理", f"svc_{service.replace('-', '_')}", "action_answer_service", "【办事指南】……",
                   slots=[("current_service", service)])
        if district is not None:
            turns.turn(district, "inform_district", "action_inform_district", "您所在区的政务服务中心……",
                       slots=[("district", district)])

    def _flow(self, turns: _Turns, flow: str, steps: int, left_at: int | None) -> None:
        turns.turn("办理", "start_application", "action_start_flow", f"（第1步，共{steps}步）请回答第一个问题",
                   slots=[("flow_state", {"draft": "d", "flow": flow})], reply_first=False)
        last = steps if left_at is None else left_at
        for step in range(2, last + 1):
            turns.turn("（示例回答）", "inform", "guided_form", f"（第{step}步，共{steps}步）请回答下一个问题")
        if left_at is None:
            turns.turn("确认", "affirm", "guided_form", "提交成功！", slots=[("flow_done", "submitted")])
        elif self.rng.random() < 0.6:
            turns.turn("不办了", "form_cancel", "guided_form", "好的，已取消。",
                       slots=[("flow_done", "cancelled"), ("flow_state", None)])
        # otherwise the resident simply stopped answering

    def conversation(self, number: int) -> Conversation:
        rng = self.rng
        prefix = rng.choices([p for p, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
        conversation_id = f"{prefix}{rng.getrandbits(64):016x}{number:07d}"
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        service = rng.choice(self.services)
        district = rng.choice(self.districts) if rng.random() < 0.7 else None
        turns = _Turns(rng, self._start())
        if rng.random() < 0.5:
            turns.turn("你好", "greet", "action_greet", "您好！我是芜湖政务服务助手。")
        if kind in ("fallback_then_answered", "fallback_end"):
            turns.turn("嗯那个啥", "nlu_fallback", "action_default_fallback", "抱歉，我没有理解，请换个说法。")
        if kind == "faq":
            turns.turn("大厅几点开门", "faq", "utter_faq/hours", "工作日 9:00-17:00。")
            service = None
        elif kind != "fallback_end":
            self._answer(turns, service, district)
        else:
            turns.turn("还是不明白", "nlu_fallback", "action_default_fallback", "抱歉，我没有理解，请换个说法。")
            service = None
        if kind == "handoff":
            turns.turn("转人工", "human_handoff", "action_human_handoff", "已为您转人工。")
            turns.pause()
        elif kind in ("flow_submitted", "flow_left"):
            flow, steps = rng.choice(FLOWS)
            self._flow(turns, flow, steps, None if kind == "flow_submitted" else rng.randint(1, steps))
        elif kind in ("answered", "faq") and rng.random() < 0.6:
            turns.turn("谢谢", "thank", "utter_thank", "不客气！")
        channel = {"web:": "webchat", "wechat:": "wechat", "rest:": "rest"}[prefix]
        return Conversation(conversation_id, turns.events, turns.turns, service, district, channel)

    def conversations(self, count: int) -> Iterator[Conversation]:
        for number in range(count):
            yield self.conversation(number)


@dataclass(frozen=True)
class Rated:
    """A generated conversation a resident rated: what the rating records about it."""

    conversation_id: str
    service: str
    channel: str
    district: str | None
    at: datetime  # naive UTC


#: Levels 5 (非常满意) … 1 (非常不满意) and their shares, roughly as published 好差评 results run.
LEVEL_SHARES = ((5, 0.50), (4, 0.25), (3, 0.13), (2, 0.08), (1, 0.04))


def rated(conversation: Conversation, rng: random.Random, share: float = 0.12) -> Rated | None:
    """About `share` of the conversations that touched a service are rated, a minute after they began."""
    if conversation.service is None or rng.random() >= share:
        return None
    start = next(e["timestamp"] for e in conversation.events if e.get("event") == "session_started")
    at = datetime.fromtimestamp(start + 60, timezone.utc).replace(tzinfo=None)
    return Rated(conversation.conversation_id, conversation.service, conversation.channel, conversation.district, at)


def seed_ratings(sessions: Any, picked: Sequence[Rated], departments: dict[str, str], today: date,
                 seed: int = 51) -> int:
    """Write ratings, and follow-ups of the poor ones, in one transaction; the number written.

    Written as rows (the evaluation services take one transaction per rating, which would take
    minutes here and is not what is measured). A follow-up whose deadline has passed is
    closed in 85 % of cases, nine in ten of them on time; the rest stay open.
    """
    from bot.evaluation.models import FollowUp, Rating, RatingInvitation
    from bot.workdays import due_date, local_date

    rng = random.Random(seed)
    with sessions.begin() as session:
        invitations = [RatingInvitation(conversation_id=r.conversation_id, subject=f"service:{r.service}",
                                        service_id=r.service, channel=r.channel, district=r.district,
                                        invited_at=r.at, rated_at=r.at) for r in picked]
        session.add_all(invitations)
        session.flush()
        ratings = [Rating(invitation_id=inv.id, conversation_id=r.conversation_id, subject=inv.subject,
                          service_id=r.service, department=departments.get(r.service, "市政务服务管理局"),
                          channel=r.channel, district=r.district, created_at=r.at,
                          level=rng.choices([lv for lv, _ in LEVEL_SHARES], weights=[w for _, w in LEVEL_SHARES])[0])
                   for inv, r in zip(invitations, picked, strict=True)]
        session.add_all(ratings)
        session.flush()
        for rating in ratings:
            if rating.level > 2:
                continue
            due = due_date(rating.created_at, 5)
            closed = None
            if due < today and rng.random() < 0.85:
                late = rng.random() < 0.1  # within two days (on time), or 10 to 20 days later
                closed = rating.created_at + (timedelta(days=rng.randint(10, 20)) if late
                                              else timedelta(hours=rng.randint(2, 48)))
                if local_date(closed) >= today:
                    closed = None  # not closed yet
            session.add(FollowUp(rating_id=rating.id, department=rating.department, created_at=rating.created_at,
                                 due_on=due, updated_at=closed or rating.created_at, closed_at=closed,
                                 status="closed" if closed else "verifying"))
    return len(picked)
