"""Bookings, applications, and a chat driving a flow like the form does (records, actions, flows tests)."""
from __future__ import annotations

from datetime import date

from bot.applications.service import submit_application
from bot.appointments.service import book
from bot.flows import engine
from bot.flows.context import FlowContext
from bot.flows.submission import submit

TODAY = date(2026, 11, 30)  # a Monday
THU, FRI = date(2026, 12, 3), date(2026, 12, 4)
HALL = "jinghu:government_center"
PHONE = "13812345678"


def book_visit(sessions, *, sender: str, service: str = "sbk-apply", day: date = THU,
               slot: str = "09:00-10:00", phone: str = PHONE, key: str | None = None):
    return book(sessions, service_id=service, hall_id=HALL, day=day, slot=slot, name="张伟", phone=phone,
                sender_id=sender, idempotency_key=key or f"{sender}:{service}:{day}:{slot}", today=TODAY)


def apply_allowance(sessions, *, sender: str, elder_id: str, phone: str = "13900001234"):
    fields = {"applicant": "self", "elder_name": "王秀英", "elder_id": elder_id, "district": "jinghu",
              "street": "赭山街道赭山社区", "phone": phone}
    return submit_application(sessions, kind="elderly-allowance", sender_id=sender, fields=fields,
                              id_number=elder_id, phone=phone, idempotency_key=f"{sender}:{elder_id}")


class Chat:
    """One conversation in one flow, as the form runs it: notes, then the next question."""

    def __init__(self, ctx: FlowContext, name: str, sender: str, prefill: dict | None = None) -> None:
        self.ctx, self.name, self.sender = ctx, name, sender
        outcome = engine.start(self.flow(), prefill)
        self.state = {**outcome.state, "instance": "test"}
        self.ended = False
        self.last = "\n".join([m.text for m in outcome.messages] + [self.question()])

    def flow(self) -> engine.Flow:
        return self.ctx.build(self.name, sender_id=self.sender)

    def question(self) -> str:
        return engine.question(self.flow(), self.state).text

    def say(self, text: str) -> str:
        assert not self.ended, "the flow has ended"
        outcome = engine.handle(self.flow(), self.state, text)
        self.state = outcome.state
        notes = [m.text for m in outcome.messages]
        if outcome.finished:
            notes.append(submit(self.ctx, outcome.state, self.sender).text)
            self.ended = True
        elif outcome.cancelled:
            self.ended = True
        else:
            notes.append(self.question())
        self.last = "\n".join(notes)
        return self.last


def flow_ctx(db_url: str, monkeypatch) -> FlowContext:
    """The flows' context on a test database, with today fixed."""
    from bot.flows.context import flow_context

    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    return flow_context(lambda: TODAY)
