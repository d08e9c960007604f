"""An application form (bot/flows/form.py) as a registered flow: built for the day, submitted
to bot/applications with the receipt number and the form's next steps in the reply."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.applications.service import submit_application
from bot.flows.definition import FlowDefinition, Rateable, State, SubmitResult
from bot.flows.engine import Flow
from bot.flows.form import ApplicationForm
from bot.receipts import idempotency_key

if TYPE_CHECKING:
    from bot.flows.context import FlowContext


def receipt_text(display: str, next_steps: str) -> str:
    return (f"提交成功！受理编号：{display}\n请记好这个编号（可以念给工作人员听），查进度时要用。\n{next_steps}")


def definition(form: ApplicationForm) -> FlowDefinition:
    def build(ctx: FlowContext, _sender_id: str) -> Flow:
        return form.build(today=ctx.today, districts=ctx.districts)

    def submit(ctx: FlowContext, state: State, sender_id: str) -> SubmitResult:
        values = state["values"]
        receipt = submit_application(ctx.sessions, kind=form.kind, sender_id=sender_id, fields=values,
                                     id_number=values[form.id_field], phone=values[form.phone_field],
                                     idempotency_key=idempotency_key(sender_id, state["instance"]))
        return SubmitResult(receipt_text(receipt.display, form.next_steps(values)),
                            rateable=Rateable("application", form.kind, receipt.display))

    return FlowDefinition(form.kind, build=build, submit=submit, application=True)
